package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The kit's own runs of the suites are on the module path, where only loop-core's exported API is in reach. */
class ModulePathTest {

    @Test
    void theTestsRunInsideTheKitsNamedModule() {
        assertThat(getClass().getModule().getName()).isEqualTo("io.weft.loop.testkit");
        assertThat(InstalledPollers.named("nio").getClass().getModule().getName()).isEqualTo("io.weft.loop.core");
    }
}
