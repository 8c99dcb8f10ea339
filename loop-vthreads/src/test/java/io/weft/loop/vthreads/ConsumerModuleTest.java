package io.weft.loop.vthreads;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.testkit.ConsumerModule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A module that requires only io.weft.loop.vthreads can use the core types its API shows. */
class ConsumerModuleTest {

    @Test
    void requiringVthreadsAloneReachesTheCoreTypes(@TempDir Path work) throws Exception {
        String errors = ConsumerModule.compile(work, "io.weft.loop.vthreads",
                "java.util.Optional<io.weft.loop.core.EventLoop> loop = io.weft.loop.vthreads.VirtualThreads.currentLoop();",
                EventLoop.class, VirtualThreads.class);

        assertThat(errors).isEmpty();
    }
}
