package io.weft.loop.epoll;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.testkit.InstalledPollers;
import org.junit.jupiter.api.Test;

/** The backend tests run on the module path, as a modular application meets loop-epoll. */
class ModulePathTest {

    @Test
    void theTestsRunInsideTheNamedModule() {
        assertThat(getClass().getModule().getName()).isEqualTo("io.weft.loop.epoll");
    }

    @Test
    void theProviderIsFoundThroughTheModulesProvidesClause() {
        PollerProvider epoll = InstalledPollers.named("epoll");
        assertThat(epoll.getClass().getModule().getName()).isEqualTo("io.weft.loop.epoll");
        assertThat(epoll.getClass().getModule().getDescriptor().provides())
                .anySatisfy(p -> assertThat(p.service()).isEqualTo(PollerProvider.class.getName()));
    }
}
