package io.weft.loop.core;

import io.weft.loop.core.spi.PollerProvider;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds the poller a loop uses: the one {@code -Dweft.poller} names, else the best available. */
final class Pollers {
    static final String PROPERTY = "weft.poller";

    private Pollers() {
    }

    static List<PollerProvider> installed() {
        return ServiceLoader.load(PollerProvider.class, Pollers.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparingInt(PollerProvider::priority).reversed())
                .toList();
    }

    static PollerProvider select() {
        List<PollerProvider> installed = installed();
        String forced = System.getProperty(PROPERTY);
        if (forced == null || forced.isBlank()) {
            return installed.stream().filter(PollerProvider::isAvailable).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no poller is available: " + describe(installed)));
        }
        PollerProvider named = installed.stream().filter(p -> p.name().equals(forced.strip())).findFirst()
                .orElseThrow(() -> new IllegalStateException("-D" + PROPERTY + "=" + forced
                        + " names no installed poller; installed: " + describe(installed)));
        named.unavailabilityCause().ifPresent(cause -> {
            throw new IllegalStateException("-D" + PROPERTY + "=" + forced + " is not available: " + cause);
        });
        return named;
    }

    private static String describe(List<PollerProvider> installed) {
        return installed.stream()
                .map(p -> p.name() + p.unavailabilityCause().map(c -> " (unavailable: " + c + ")").orElse(""))
                .collect(Collectors.joining(", "));
    }
}
