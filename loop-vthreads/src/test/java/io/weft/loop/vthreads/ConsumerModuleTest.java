package io.weft.loop.vthreads;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.testkit.ConsumerModule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A module that requires only io.weft.loop.vthreads can use the core types its API shows, and
 * none of the core's internals that vthreads itself uses.
 */
class ConsumerModuleTest {

    @Test
    void requiringVthreadsAloneReachesTheCoreTypes(@TempDir Path work) throws Exception {
        String errors = ConsumerModule.compile(work, "io.weft.loop.vthreads",
                "java.util.Optional<io.weft.loop.core.EventLoop> loop = io.weft.loop.vthreads.VirtualThreads.currentLoop();",
                EventLoop.class, VirtualThreads.class);

        assertThat(errors).isEmpty();
    }

    @Test
    void perLoopStateOfWeftsLayersIsNotUserApi(@TempDir Path work) throws Exception {
        String onTheLoop = ConsumerModule.compile(work.resolve("loop"), "io.weft.loop.vthreads",
                "Object state(io.weft.loop.core.EventLoop loop) { return loop.localState(String.class, l -> \"\"); }",
                EventLoop.class, VirtualThreads.class);
        String internal = ConsumerModule.compile(work.resolve("internal"), "io.weft.loop.vthreads",
                "Object state(io.weft.loop.core.EventLoop loop) {"
                        + " return io.weft.loop.core.internal.LoopLocals.get(loop, String.class, l -> \"\"); }",
                EventLoop.class, VirtualThreads.class);

        assertThat(onTheLoop).contains("cannot find symbol").contains("localState");
        assertThat(internal).contains("package io.weft.loop.core.internal is not visible");
    }
}
