package io.weft.loop.core.net;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into addresses, for {@link HostConnector}. It may block: the connector calls
 * it on a virtual thread, never on a loop thread.
 */
@FunctionalInterface
public interface HostResolver {
    /** The JDK's resolver, {@link InetAddress#getAllByName} (hosts file, then DNS). */
    HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /**
     * {@return the addresses of {@code host}, in the order the name service gave them}
     *
     * @param host the host name
     * @throws UnknownHostException naming {@code host}, if it has no address
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}
