package io.weft.loop.testkit;

import io.weft.loop.core.spi.PollerProvider;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The {@link PollerProvider}s installed on the module path or class path, as {@link
 * java.util.ServiceLoader} finds them: how a suite gets a backend whose provider class is not exported
 * (the NIO one in loop-core, the epoll one in loop-epoll).
 */
public final class InstalledPollers {
    private InstalledPollers() {
    }

    /**
     * {@return the installed provider called {@code name} (its {@link PollerProvider#name()}), found afresh on
     * each call} Any thread.
     *
     * @param name the provider's name, such as {@code nio} or {@code epoll}
     * @throws IllegalArgumentException naming the installed providers, when none is called {@code name}
     */
    public static PollerProvider named(String name) {
        List<PollerProvider> installed = ServiceLoader.load(PollerProvider.class).stream()
                .map(ServiceLoader.Provider::get).toList();
        return installed.stream().filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no poller named '" + name + "' is installed (installed: "
                        + installed.stream().map(PollerProvider::name).toList()
                        + "); put the module that provides it on the module path or class path"));
    }
}
