package io.weft.loop.core;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.nio.NioPollerProvider;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The poller choice is logged once, at INFO, with why a better poller was passed over. */
class PollersLogTest {
    private final Logger logger = Logger.getLogger(Pollers.class.getName());
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void capture() {
        logger.addHandler(capture);
    }

    @AfterEach
    void release() {
        logger.removeHandler(capture);
    }

    @Test
    void aFallBackIsLoggedOnceWithTheReason() {
        List<PollerProvider> installed = List.of(new Unavailable("fast", "fast needs --enable-native-access"),
                new NioPollerProvider());

        PollerProvider first = Pollers.select(installed, null);
        PollerProvider second = Pollers.select(installed, null);

        assertThat(first.name()).isEqualTo("nio");
        assertThat(second.name()).isEqualTo("nio");
        assertThat(records).singleElement().satisfies(record -> {
            assertThat(record.getLevel()).isEqualTo(Level.INFO);
            assertThat(record.getMessage())
                    .isEqualTo("poller: nio (fast is unavailable: fast needs --enable-native-access)");
        });
    }

    @Test
    void theBestPollerAndAForcedOneSayHowTheyWereChosen() {
        List<PollerProvider> installed = List.of(new NioPollerProvider());

        assertThat(Pollers.choice(installed.getFirst(), installed, null)).isEqualTo("poller: nio (the best installed)");
        assertThat(Pollers.choice(installed.getFirst(), installed, " nio ")).isEqualTo("poller: nio (-Dweft.poller=nio)");
    }

    /** A higher-priority provider that cannot run here, like epoll without native access. */
    private record Unavailable(String name, String cause) implements PollerProvider {
        @Override
        public int priority() {
            return 20;
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return Optional.of(cause);
        }

        @Override
        public Poller newPoller() {
            throw new IllegalStateException(cause);
        }
    }
}
