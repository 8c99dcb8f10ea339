package io.weft.samples.kv;

import io.weft.samples.kv.KvStore.Condition;
import io.weft.samples.kv.KvStore.IncrResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

/**
 * Runs one request against the store and writes its reply: PING, ECHO, GET, SET (EX, PX, NX,
 * XX), DEL, EXISTS, INCR, MGET, MSET, QUIT and COMMAND (an empty array, so {@code redis-cli} starts
 * quietly). Replies and error texts follow Redis, so clients behave as they would with it.
 */
public final class KvCommands {
    private final KvStore store;

    /** Commands on {@code store}. */
    public KvCommands(KvStore store) {
        this.store = store;
    }

    /** Runs {@code args} (a name and its arguments); returns {@code false} when the connection is to close (QUIT). */
    public boolean execute(List<byte[]> args, RespWriter out) throws IOException {
        String name = new String(args.get(0), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        int argc = args.size();
        switch (name) {
            case "get" -> {
                if (arity(name, argc == 2, out)) {
                    out.bulk(store.get(args.get(1)));
                }
            }
            case "set" -> set(args, out);
            case "incr" -> {
                if (arity(name, argc == 2, out)) {
                    switch (store.incr(args.get(1))) {
                        case IncrResult.Value v -> out.integer(v.value());
                        case IncrResult.NotAnInteger n -> out.error("ERR value is not an integer or out of range");
                        case IncrResult.Overflow o -> out.error("ERR increment or decrement would overflow");
                    }
                }
            }
            case "ping" -> {
                if (arity(name, argc <= 2, out)) {
                    if (argc == 1) {
                        out.simple("PONG");
                    } else {
                        out.bulk(args.get(1));
                    }
                }
            }
            case "echo" -> {
                if (arity(name, argc == 2, out)) {
                    out.bulk(args.get(1));
                }
            }
            case "del", "exists" -> {
                if (arity(name, argc >= 2, out)) {
                    long n = 0;
                    for (int i = 1; i < argc; i++) {
                        if (name.equals("del") ? store.delete(args.get(i)) : store.exists(args.get(i))) {
                            n++;
                        }
                    }
                    out.integer(n);
                }
            }
            case "mget" -> {
                if (arity(name, argc >= 2, out)) {
                    out.arrayHeader(argc - 1);
                    for (int i = 1; i < argc; i++) {
                        out.bulk(store.get(args.get(i)));
                    }
                }
            }
            case "mset" -> {
                if (arity(name, argc >= 3 && argc % 2 == 1, out)) {
                    for (int i = 1; i < argc; i += 2) {
                        store.set(args.get(i), args.get(i + 1), 0, Condition.ALWAYS);
                    }
                    out.ok();
                }
            }
            case "command" -> out.arrayHeader(0);
            case "quit" -> {
                out.ok();
                return false;
            }
            default -> out.error("ERR unknown command '" + printable(args.get(0)) + "'");
        }
        return true;
    }

    private void set(List<byte[]> args, RespWriter out) throws IOException {
        if (!arity("set", args.size() >= 3, out)) {
            return;
        }
        long ttlMillis = 0;
        boolean expirySeen = false;
        Condition condition = Condition.ALWAYS;
        for (int i = 3; i < args.size(); i++) {
            String option = new String(args.get(i), StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
            switch (option) {
                case "nx", "xx" -> {
                    Condition wanted = option.equals("nx") ? Condition.IF_ABSENT : Condition.IF_PRESENT;
                    if (condition != Condition.ALWAYS && condition != wanted) {
                        out.error("ERR syntax error");
                        return;
                    }
                    condition = wanted;
                }
                case "ex", "px" -> {
                    if (expirySeen || i + 1 == args.size()) {
                        out.error("ERR syntax error");
                        return;
                    }
                    expirySeen = true;
                    Long n = KvStore.parseLong(args.get(++i));
                    if (n == null) {
                        out.error("ERR value is not an integer or out of range");
                        return;
                    }
                    if (n <= 0 || (option.equals("ex") && n > Long.MAX_VALUE / 1000)) {
                        out.error("ERR invalid expire time in 'set' command");
                        return;
                    }
                    ttlMillis = option.equals("ex") ? n * 1000 : n;
                }
                default -> {
                    out.error("ERR syntax error");
                    return;
                }
            }
        }
        if (store.set(args.get(1), args.get(2), ttlMillis, condition)) {
            out.ok();
        } else {
            out.bulk(null);
        }
    }

    private static boolean arity(String name, boolean ok, RespWriter out) throws IOException {
        if (!ok) {
            out.error("ERR wrong number of arguments for '" + name + "' command");
        }
        return ok;
    }

    /** A command name for an error text: at most 128 bytes, control bytes as {@code ?}. */
    private static String printable(byte[] name) {
        StringBuilder s = new StringBuilder(Math.min(name.length, 128));
        for (int i = 0; i < name.length && i < 128; i++) {
            int b = name[i] & 0xff;
            s.append(b < 0x20 || b == 0x7f ? '?' : (char) b);
        }
        return s.toString();
    }
}
