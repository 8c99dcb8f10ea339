package io.weft.loop.vthreads;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.vthreads.LoopCarrierHook.Decision;
import io.weft.loop.vthreads.LoopCarrierHook.Probe;
import org.junit.jupiter.api.Test;

class LoopCarrierHookTest {

    @Test
    void loopFallsBackToPoolAndNamesTheFlagWhenTheHookIsMissing() {
        Decision decision = LoopCarrierHook.decide(Carrier.LOOP,
                Probe.unavailable("java.base does not open java.lang to the unnamed module"));

        assertThat(decision.carrier()).isEqualTo(Carrier.POOL);
        assertThat(decision.warning()).hasValueSatisfying(message -> assertThat(message)
                .contains("--add-opens java.base/java.lang=ALL-UNNAMED")
                .contains("does not open java.lang")
                .contains("Carrier.POOL"));
    }

    @Test
    void poolNeedsNoHookAndSaysNothing() {
        Decision decision = LoopCarrierHook.decide(Carrier.POOL, Probe.unavailable("whatever"));

        assertThat(decision.carrier()).isEqualTo(Carrier.POOL);
        assertThat(decision.warning()).isEmpty();
    }

    @Test
    void loopIsKeptWhenTheHookIsThere() {
        Probe probe = LoopCarrierHook.probe(); // the test JVM runs with the add-opens

        assertThat(probe.available()).as(probe.unavailability()).isTrue();
        assertThat(LoopCarrierHook.decide(Carrier.LOOP, probe)).isEqualTo(new Decision(Carrier.LOOP, java.util.Optional.empty()));
    }

    @Test
    void theFlagNamesTheUnnamedModuleOnTheClassPath() {
        assertThat(LoopCarrierHook.flag()).isEqualTo("--add-opens java.base/java.lang=ALL-UNNAMED");
    }
}
