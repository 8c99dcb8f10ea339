/**
 * Weft's test kit: the contract suites a {@link io.weft.loop.core.spi.PollerProvider} or a {@link
 * io.weft.loop.core.net.spi.TcpBackendProvider} must pass (JUnit Jupiter classes to extend), and the
 * manual clock, recording poller and test pipes they are written with.
 */
// AssertJ ships an automatic module only; its types are in the suites' API (assertions users extend with).
@SuppressWarnings("requires-transitive-automatic")
module io.weft.loop.testkit {
    requires transitive io.weft.loop.core;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;
    requires java.compiler;
    requires jdk.management;

    exports io.weft.loop.testkit;
    // JUnit calls the suites' package-private test and lifecycle methods reflectively.
    opens io.weft.loop.testkit to org.junit.platform.commons;

    uses io.weft.loop.core.spi.PollerProvider;
}
