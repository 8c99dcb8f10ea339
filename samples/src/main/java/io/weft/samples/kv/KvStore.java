package io.weft.samples.kv;

import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The key-value map every loop shares. Keys are byte strings (held as ISO-8859-1 {@code String}s,
 * one byte per char, so equality and hashing come for free); values are byte arrays, never copied
 * or changed once stored. A key may carry a deadline: it is gone for every reader once the clock
 * passes it (lazy expiry), and {@link #sweep} removes such keys for good.
 *
 * <p>Thread-safe; each operation on one key is atomic ({@link ConcurrentHashMap#compute}).
 */
public final class KvStore {
    /** A stored value and its deadline in clock milliseconds, 0 for none. */
    record Entry(byte[] value, long expiresAtMillis) {
        boolean expiredAt(long now) {
            return expiresAtMillis != 0 && expiresAtMillis <= now;
        }
    }

    /** What {@link #incr} answers. */
    public sealed interface IncrResult {
        /** The new value. */
        record Value(long value) implements IncrResult {
        }

        /** The stored value is not a decimal integer in the range of a signed 64-bit number. */
        record NotAnInteger() implements IncrResult {
        }

        /** Adding one would pass {@link Long#MAX_VALUE}. */
        record Overflow() implements IncrResult {
        }
    }

    /** The condition of a {@code SET}: none, {@code NX} (only if absent), {@code XX} (only if present). */
    public enum Condition {
        /** Always set. */
        ALWAYS,
        /** Only if the key does not exist. */
        IF_ABSENT,
        /** Only if the key exists. */
        IF_PRESENT
    }

    private final ConcurrentHashMap<String, Entry> map = new ConcurrentHashMap<>();
    private final LongSupplier clockMillis;
    private volatile boolean mayHoldDeadlines;

    /** A store on the wall clock. */
    public KvStore() {
        this(System::currentTimeMillis);
    }

    /** A store on {@code clockMillis}, for tests. */
    public KvStore(LongSupplier clockMillis) {
        this.clockMillis = Objects.requireNonNull(clockMillis, "clockMillis");
    }

    static String key(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The value of {@code key}, or {@code null} if it has none (or it expired). */
    public byte[] get(byte[] key) {
        String k = key(key);
        Entry e = map.get(k);
        if (e == null) {
            return null;
        }
        if (e.expiredAt(clockMillis.getAsLong())) {
            map.remove(k, e);
            return null;
        }
        return e.value;
    }

    /**
     * Sets {@code key} to {@code value} with a time to live ({@code ttlMillis > 0}) or none (0),
     * if {@code condition} holds. Returns whether it was set.
     */
    public boolean set(byte[] key, byte[] value, long ttlMillis, Condition condition) {
        long now = clockMillis.getAsLong();
        Entry fresh = new Entry(value, ttlMillis > 0 ? deadline(now, ttlMillis) : 0);
        if (ttlMillis > 0) {
            mayHoldDeadlines = true;
        }
        if (condition == Condition.ALWAYS) {
            map.put(key(key), fresh);
            return true;
        }
        boolean[] done = {false};
        map.compute(key(key), (k, old) -> {
            boolean present = old != null && !old.expiredAt(now);
            if (present == (condition == Condition.IF_PRESENT)) {
                done[0] = true;
                return fresh;
            }
            return present ? old : null;
        });
        return done[0];
    }

    private static long deadline(long now, long ttlMillis) {
        long at = now + ttlMillis;
        return at < now ? Long.MAX_VALUE : at;
    }

    /** Removes {@code key}; whether it existed (and had not expired). */
    public boolean delete(byte[] key) {
        Entry e = map.remove(key(key));
        return e != null && !e.expiredAt(clockMillis.getAsLong());
    }

    /** Whether {@code key} exists (and has not expired). */
    public boolean exists(byte[] key) {
        return get(key) != null;
    }

    /**
     * Adds one to the decimal integer stored at {@code key} (0 when absent), keeping its deadline,
     * as Redis {@code INCR}.
     */
    public IncrResult incr(byte[] key) {
        long now = clockMillis.getAsLong();
        IncrResult[] result = new IncrResult[1];
        map.compute(key(key), (k, old) -> {
            if (old == null || old.expiredAt(now)) {
                result[0] = new IncrResult.Value(1);
                return new Entry(ONE, 0);
            }
            Long n = parseLong(old.value);
            if (n == null) {
                result[0] = new IncrResult.NotAnInteger();
                return old;
            }
            if (n == Long.MAX_VALUE) {
                result[0] = new IncrResult.Overflow();
                return old;
            }
            result[0] = new IncrResult.Value(n + 1);
            return new Entry(Long.toString(n + 1).getBytes(StandardCharsets.US_ASCII), old.expiresAtMillis);
        });
        return result[0];
    }

    private static final byte[] ONE = {'1'};

    /**
     * The value as Redis reads an integer: optional {@code -}, digits, no sign {@code +}, no leading
     * zero (but {@code 0}), no spaces, within {@code long}; otherwise {@code null}.
     */
    static Long parseLong(byte[] v) {
        if (v.length == 0 || v.length > 20) {
            return null;
        }
        boolean negative = v[0] == '-';
        int i = negative ? 1 : 0;
        if (i == v.length || (v[i] == '0' && (v.length - i > 1 || negative))) {
            return null;
        }
        long n = 0; // accumulated negatively, so Long.MIN_VALUE fits
        for (; i < v.length; i++) {
            int d = v[i] - '0';
            if (d < 0 || d > 9 || n < (Long.MIN_VALUE + d) / 10) {
                return null;
            }
            n = n * 10 - d;
        }
        if (negative) {
            return n;
        }
        return n == Long.MIN_VALUE ? null : -n;
    }

    /** How many keys the map holds, expired ones not yet removed included. */
    public int size() {
        return map.size();
    }

    /**
     * Removes expired keys, visiting at most {@code budget} entries per call of {@code between}
     * (which a caller uses to yield). Returns how many it removed.
     */
    public long sweep(int budget, Runnable between) {
        if (!mayHoldDeadlines) {
            return 0;
        }
        long removed = 0;
        int visited = 0;
        long now = clockMillis.getAsLong();
        for (Iterator<Map.Entry<String, Entry>> it = map.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> e = it.next();
            if (e.getValue().expiredAt(now) && map.remove(e.getKey(), e.getValue())) {
                removed++;
            }
            if (++visited == budget) {
                visited = 0;
                between.run();
                now = clockMillis.getAsLong();
            }
        }
        return removed;
    }
}
