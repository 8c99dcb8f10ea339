package io.weft.loop.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptOrderTest {
    private static InetAddress ip(String literal) throws UnknownHostException {
        return InetAddress.getByName(literal); // a literal: no lookup
    }

    @Test
    void familiesAreInterleavedIpv6FirstEachInTheResolversOrderWithoutDuplicates() throws Exception {
        List<InetSocketAddress> order = AttemptOrder.of(List.of(ip("127.0.0.1"), ip("127.0.0.2"), ip("::1"),
                ip("127.0.0.1"), ip("::2"), ip("127.0.0.3")), 80);

        assertThat(order).extracting(a -> a.getAddress().getHostAddress()).containsExactly(
                "0:0:0:0:0:0:0:1", "127.0.0.1", "0:0:0:0:0:0:0:2", "127.0.0.2", "127.0.0.3");
        assertThat(order).allMatch(a -> a.getPort() == 80);
    }

    @Test
    void oneFamilyKeepsItsOrder() throws Exception {
        assertThat(AttemptOrder.of(List.of(ip("127.0.0.2"), ip("127.0.0.1")), 1))
                .extracting(a -> a.getAddress().getHostAddress()).containsExactly("127.0.0.2", "127.0.0.1");
    }
}
