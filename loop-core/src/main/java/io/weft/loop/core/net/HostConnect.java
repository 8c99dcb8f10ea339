package io.weft.loop.core.net;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.Timer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;

/**
 * One {@link HostConnector#connect}: resolution on a virtual thread, then the attempts, the
 * stagger and the timeout on the loop thread. All fields belong to the loop thread.
 */
final class HostConnect {
    private final HostConnector config;
    private final EventLoop loop;
    private final String host;
    private final int port;
    private final ConnectionHandler handler;
    private final CompletableFuture<TcpConnection> result = new CompletableFuture<>();

    private List<InetSocketAddress> order = List.of();
    private int next;
    private final Map<InetSocketAddress, CompletableFuture<TcpConnection>> running = new LinkedHashMap<>();
    private final List<HostConnectException.Attempt> failed = new ArrayList<>();
    private Timer stagger;
    private Timer deadline;
    /** Set once it has won, failed, timed out or been cancelled: nothing more starts. */
    private boolean finished;

    HostConnect(HostConnector config, EventLoop loop, String host, int port, ConnectionHandler handler) {
        this.config = config;
        this.loop = loop;
        this.host = host;
        this.port = port;
        this.handler = handler;
    }

    CompletableFuture<TcpConnection> result() {
        return result;
    }

    void start() {
        if (result.isDone()) {
            return; // cancelled before it reached the loop
        }
        deadline = loop.schedule(config.connectTimeout(), this::timedOut);
        result.whenComplete((connection, failure) -> {
            if (result.isCancelled()) {
                hop(this::cancelled);
            }
        });
        Thread.ofVirtual().name("weft-resolve-" + host).start(this::resolve);
    }

    /** On the resolving virtual thread. */
    private void resolve() {
        List<InetAddress> addresses;
        try {
            addresses = config.resolver().resolve(host);
        } catch (UnknownHostException e) {
            hop(() -> fail(e));
            return;
        } catch (RuntimeException e) {
            UnknownHostException unknown = new UnknownHostException(host + ": the resolver failed (" + e + ")");
            unknown.initCause(e);
            hop(() -> fail(unknown));
            return;
        }
        hop(() -> resolved(addresses));
    }

    private void hop(Runnable step) {
        if (loop.inLoop()) {
            step.run();
            return;
        }
        try {
            loop.execute(step);
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(e); // the loop is closing: nothing more can happen on it
        }
    }

    private void resolved(List<InetAddress> addresses) {
        if (finished) {
            return;
        }
        order = AttemptOrder.of(addresses, port);
        if (order.isEmpty()) {
            fail(new UnknownHostException(host + ": the resolver gave no address"));
            return;
        }
        startNext();
    }

    private void startNext() {
        if (stagger != null) {
            stagger.cancel();
            stagger = null;
        }
        if (finished || next == order.size()) {
            return;
        }
        InetSocketAddress address = order.get(next++);
        CompletableFuture<TcpConnection> attempt;
        try {
            attempt = TcpConnection.connect(loop, address, config.options(), new AttemptHandler(address));
        } catch (RuntimeException e) {
            attemptFailed(address, e);
            return;
        }
        running.put(address, attempt);
        attempt.whenComplete((connection, failure) -> {
            if (failure != null) {
                attemptFailed(address, failure);
            }
        });
        if (!attempt.isDone() && next < order.size() && !finished) {
            stagger = loop.schedule(config.attemptDelay(), this::startNext);
        }
    }

    private void attemptFailed(InetSocketAddress address, Throwable failure) {
        running.remove(address);
        if (finished) {
            return;
        }
        failed.add(new HostConnectException.Attempt(address,
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure));
        if (next < order.size()) {
            startNext(); // a failure starts the next address at once
        } else if (running.isEmpty()) {
            fail(new HostConnectException(host, port, failed, null));
        }
    }

    private void won(InetSocketAddress address) {
        running.remove(address);
        end();
    }

    private void timedOut() {
        if (finished) {
            return;
        }
        List<HostConnectException.Attempt> attempts = new ArrayList<>(failed);
        running.keySet().forEach(address -> attempts.add(new HostConnectException.Attempt(address, null)));
        fail(new HostConnectException(host, port, attempts, config.connectTimeout()));
    }

    private void cancelled() {
        if (!finished) {
            end();
        }
    }

    private void fail(IOException failure) {
        end();
        result.completeExceptionally(failure);
    }

    /** Nothing more starts; the attempts still running are cancelled (their sockets closed at once). */
    private void end() {
        finished = true;
        if (stagger != null) {
            stagger.cancel();
        }
        if (deadline != null) {
            deadline.cancel();
        }
        List<CompletableFuture<TcpConnection>> losers = List.copyOf(running.values());
        running.clear();
        losers.forEach(attempt -> attempt.cancel(false));
    }

    /** One attempt's handler: forwards to the application's handler once this attempt has won. */
    private final class AttemptHandler implements ConnectionHandler {
        private final InetSocketAddress address;
        private boolean winner;

        AttemptHandler(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public void onOpen(TcpConnection connection) {
            if (finished || result.isDone()) {
                connection.close(); // another attempt won, or the connect timed out or was cancelled
                return;
            }
            winner = true;
            won(address);
            try {
                handler.onOpen(connection);
            } catch (RuntimeException e) {
                result.completeExceptionally(e); // as TcpConnection.connect's future does
                throw e;
            }
            if (!result.complete(connection)) {
                connection.close(); // cancelled while onOpen ran
            }
        }

        @Override
        public void onRead(TcpConnection connection, ByteBuffer data) {
            if (winner) {
                handler.onRead(connection, data);
            }
        }

        @Override
        public void onWritabilityChanged(TcpConnection connection, boolean writable) {
            if (winner) {
                handler.onWritabilityChanged(connection, writable);
            }
        }

        @Override
        public void onInputClosed(TcpConnection connection) {
            if (winner) {
                handler.onInputClosed(connection);
            } else {
                connection.close();
            }
        }

        @Override
        public void onClose(TcpConnection connection, CloseReason reason, Throwable cause) {
            if (winner) {
                handler.onClose(connection, reason, cause);
            }
        }

        @Override
        public String toString() {
            return handler.toString();
        }
    }
}
