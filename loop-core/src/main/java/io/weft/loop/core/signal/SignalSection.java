package io.weft.loop.core.signal;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.internal.LoopLocals;
import java.util.ArrayList;
import java.util.List;

/**
 * The section {@value #NAME} of a loop's snapshot (see {@link io.weft.loop.core.LoopView}): its
 * open signal handles, each with whether it keeps the loop alive. Contributed once per loop, when
 * the loop opens its first handle; reading it takes no lock (the handle lists are copy-on-write).
 */
final class SignalSection {
    static final String NAME = "signal handles";

    private SignalSection(EventLoop loop) {
        loop.view().contribute(NAME, () -> lines(loop));
    }

    /** Makes sure {@code loop}'s snapshots list its signal handles. */
    static void register(EventLoop loop) {
        LoopLocals.get(loop, SignalSection.class, SignalSection::new);
    }

    private static List<String> lines(EventLoop loop) {
        List<String> lines = new ArrayList<>();
        for (Signal signal : Signal.values()) {
            for (SignalHandle handle : SignalDispatch.of(signal).handles()) {
                if (handle.loop() == loop && handle.isLive()) {
                    lines.add(handle + (handle.isReferenced() ? "" : " (unreferenced)"));
                }
            }
        }
        return lines;
    }
}
