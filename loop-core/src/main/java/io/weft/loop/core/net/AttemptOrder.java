package io.weft.loop.core.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The order in which {@link HostConnector} tries a host's addresses (RFC 8305, section 4): the
 * families interleaved, IPv6 first, each family in the order the name service gave it, duplicates
 * dropped.
 */
final class AttemptOrder {
    private AttemptOrder() {
    }

    static List<InetSocketAddress> of(List<InetAddress> resolved, int port) {
        List<InetAddress> v6 = new ArrayList<>();
        List<InetAddress> v4 = new ArrayList<>();
        for (InetAddress address : new LinkedHashSet<>(resolved)) {
            (address instanceof Inet6Address ? v6 : v4).add(address);
        }
        List<InetSocketAddress> order = new ArrayList<>(v6.size() + v4.size());
        for (int i = 0; i < Math.max(v6.size(), v4.size()); i++) {
            if (i < v6.size()) {
                order.add(new InetSocketAddress(v6.get(i), port));
            }
            if (i < v4.size()) {
                order.add(new InetSocketAddress(v4.get(i), port));
            }
        }
        return order;
    }
}
