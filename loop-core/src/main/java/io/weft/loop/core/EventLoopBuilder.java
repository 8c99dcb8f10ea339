package io.weft.loop.core;

import io.weft.loop.core.spi.PollerProvider;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * Builds an {@link EventLoop}; get one from {@link EventLoop#builder()}. Not thread-safe; every
 * setting is optional.
 */
public final class EventLoopBuilder {
    private String name;
    private LoopClock clock = LoopClock.system();
    private PollerProvider pollerProvider;
    private LoopExceptionHandler exceptionHandler;
    private TaskDecorator taskDecorator;

    EventLoopBuilder() {
    }

    /**
     * The loop's name (default {@code weft-loop-N}).
     *
     * @param name the name, unique among the process's loops by convention
     * @return this builder
     */
    public EventLoopBuilder name(String name) {
        this.name = Objects.requireNonNull(name, "name");
        return this;
    }

    /**
     * The clock timers and stats use (default {@link LoopClock#system()}); tests pass a manual one.
     *
     * @param clock the clock to read
     * @return this builder
     */
    public EventLoopBuilder clock(LoopClock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * The poller to run on (default: {@code -Dweft.poller}, else the best available provider).
     *
     * @param provider the poller's provider, which must be available
     * @return this builder
     */
    public EventLoopBuilder poller(PollerProvider provider) {
        Objects.requireNonNull(provider, "provider");
        provider.unavailabilityCause().ifPresent(cause -> {
            throw new IllegalArgumentException("poller '" + provider.name() + "' is not available: " + cause);
        });
        this.pollerProvider = provider;
        return this;
    }

    /**
     * The installed poller named {@code name} ({@code nio}, {@code epoll}, ...).
     *
     * @param name the provider's {@link PollerProvider#name()}
     * @return this builder
     * @throws IllegalArgumentException if no such poller is installed or it is unavailable, with the reason
     */
    public EventLoopBuilder poller(String name) {
        Objects.requireNonNull(name, "name");
        return poller(Pollers.installed().stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no poller named '" + name + "' is installed; installed: "
                        + Pollers.installed().stream().map(PollerProvider::name).toList())));
    }

    /**
     * Where exceptions from callbacks, timers and handlers go (default: logged).
     *
     * @param handler called on the loop thread with each exception
     * @return this builder
     */
    public EventLoopBuilder exceptionHandler(LoopExceptionHandler handler) {
        this.exceptionHandler = Objects.requireNonNull(handler, "handler");
        return this;
    }

    /**
     * Wraps every task given to {@link EventLoop#execute}, {@link EventLoop#schedule} and {@link
     * EventLoop#scheduleRepeating} on the submitting thread (default: none); see {@link TaskDecorator}.
     *
     * @param decorator wraps each task as it is handed over
     * @return this builder
     */
    public EventLoopBuilder taskDecorator(TaskDecorator decorator) {
        this.taskDecorator = Objects.requireNonNull(decorator, "decorator");
        return this;
    }

    /**
     * Builds the loop; the calling thread is its thread until a thread runs it.
     *
     * @return a loop that is not running yet
     * @throws UncheckedIOException if the poller cannot be opened
     * @throws IllegalStateException if {@code -Dweft.poller} names a poller that is missing or unavailable
     */
    public EventLoop build() {
        return new EventLoop(name, clock, pollerProvider, exceptionHandler, taskDecorator);
    }
}
