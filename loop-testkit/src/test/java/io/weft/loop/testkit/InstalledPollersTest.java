package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class InstalledPollersTest {

    @Test
    void findsTheInstalledProviderByName() {
        assertThat(InstalledPollers.named("nio").name()).isEqualTo("nio");
    }

    @Test
    void anUnknownNameIsRefusedNamingWhatIsInstalled() {
        assertThatThrownBy(() -> InstalledPollers.named("kqueue")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("kqueue").hasMessageContaining("[nio]");
    }
}
