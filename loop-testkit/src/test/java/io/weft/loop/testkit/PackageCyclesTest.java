package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PackageCyclesTest {

    @Test
    void loopCoreHasNoPackageCycle() {
        PackageCycles.assertNone(EventLoop.class);
    }

    @Test
    void theCheckFindsACycle() {
        Map<String, Set<String>> graph = Map.of("a", Set.of("b"), "b", Set.of("c"), "c", Set.of("a"), "d", Set.of("a"));
        assertThat(PackageCycles.cycle(graph)).hasSize(4).startsWith(PackageCycles.cycle(graph).getLast());
        assertThat(PackageCycles.cycle(Map.of("a", Set.of("b"), "b", Set.of()))).isEmpty();
    }
}
