package io.weft.loop.metrics;

import jdk.jfr.Category;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

/**
 * A JFR event for one blocked-loop episode, committed by the {@link LoopWatchdog} when the episode
 * ends. It begins when the watchdog noticed the block and ends when it saw it over, so in JDK
 * Mission Control it sits on the watchdog thread's lane; {@code blockedDuration} is the true time
 * the task held the loop, and {@code loopThread} points at the loop's own lane.
 */
@Name(BlockedLoopEvent.NAME)
@Label("Blocked Loop")
@Category({"Weft", "Event Loop"})
@Description("A callback, timer or handler held a Weft event loop longer than its threshold")
@StackTrace(false) // the watchdog's own stack says nothing; the loop thread's samples are in 'stack'
final class BlockedLoopEvent extends Event {
    static final String NAME = "weft.BlockedLoop";

    @Label("Loop")
    String loop;

    @Label("Loop Thread")
    Thread loopThread;

    @Label("Task")
    @Description("What held the loop: the task's toString when it is a label, else its class")
    String task;

    @Label("Blocked Duration")
    @Timespan(Timespan.NANOSECONDS)
    long blockedDuration;

    @Label("Threshold")
    @Timespan(Timespan.NANOSECONDS)
    long threshold;

    @Label("Stack Samples")
    @Description("Stacks taken; a sample that could not be taken says why in 'stack'")
    int stackSamples;

    @Label("Stack")
    @Description("The stack of the code holding the loop (the loop thread's, or that of the virtual thread it carried), sampled while it was blocked")
    String stack;
}
