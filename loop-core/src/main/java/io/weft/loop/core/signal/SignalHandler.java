package io.weft.loop.core.signal;

/** What a {@link SignalHandle} calls, on its loop's thread, when its signal has arrived. */
@FunctionalInterface
public interface SignalHandler {
    /**
     * The signal arrived {@code count} times (at least once) since the previous call: arrivals
     * while the loop was busy are coalesced into one call. Runs on the loop thread; what it throws
     * goes to the loop's exception handler and the handle stays open.
     *
     * @param handle the handle the signal arrived on
     * @param count how many arrivals this call reports, at least 1
     */
    void onSignal(SignalHandle handle, int count);
}
