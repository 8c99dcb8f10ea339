package io.weft.loop.core;

import io.weft.loop.core.spi.PollerProvider;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Finds the poller a loop uses: the one {@code -Dweft.poller} names, else the best available. Each
 * distinct choice is logged once per JVM at INFO (logger {@code io.weft.loop.core.Pollers}), with
 * why every higher-priority poller was passed over, so a silent fall-back to NIO cannot happen.
 */
final class Pollers {
    static final String PROPERTY = "weft.poller";

    private static final System.Logger LOG = System.getLogger(Pollers.class.getName());
    private static final Set<String> ANNOUNCED = ConcurrentHashMap.newKeySet();

    private Pollers() {
    }

    static List<PollerProvider> installed() {
        return ServiceLoader.load(PollerProvider.class, Pollers.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get)
                .sorted(Comparator.comparingInt(PollerProvider::priority).reversed())
                .toList();
    }

    static PollerProvider select() {
        return select(installed(), System.getProperty(PROPERTY));
    }

    /** Chooses among {@code installed} (highest priority first) as {@code -Dweft.poller=forced} asks. */
    static PollerProvider select(List<PollerProvider> installed, String forced) {
        PollerProvider chosen = forced == null || forced.isBlank() ? best(installed) : named(installed, forced);
        announce(choice(chosen, installed, forced));
        return chosen;
    }

    /** The log line for a choice: the poller, how it was chosen, and why better ones were not. */
    static String choice(PollerProvider chosen, List<PollerProvider> installed, String forced) {
        if (forced != null && !forced.isBlank()) {
            return "poller: " + chosen.name() + " (-D" + PROPERTY + "=" + forced.strip() + ")";
        }
        String passedOver = installed.stream()
                .filter(p -> p.priority() > chosen.priority())
                .map(p -> p.name() + " is unavailable: " + p.unavailabilityCause().orElse("?"))
                .collect(Collectors.joining("; "));
        return "poller: " + chosen.name() + (passedOver.isEmpty() ? " (the best installed)" : " (" + passedOver + ")");
    }

    private static PollerProvider best(List<PollerProvider> installed) {
        return installed.stream().filter(PollerProvider::isAvailable).findFirst()
                .orElseThrow(() -> new IllegalStateException("no poller is available: " + describe(installed)));
    }

    private static PollerProvider named(List<PollerProvider> installed, String forced) {
        PollerProvider named = installed.stream().filter(p -> p.name().equals(forced.strip())).findFirst()
                .orElseThrow(() -> new IllegalStateException("-D" + PROPERTY + "=" + forced
                        + " names no installed poller; installed: " + describe(installed)));
        named.unavailabilityCause().ifPresent(cause -> {
            throw new IllegalStateException("-D" + PROPERTY + "=" + forced + " is not available: " + cause);
        });
        return named;
    }

    private static void announce(String choice) {
        if (ANNOUNCED.add(choice)) {
            LOG.log(System.Logger.Level.INFO, choice);
        }
    }

    private static String describe(List<PollerProvider> installed) {
        return installed.stream()
                .map(p -> p.name() + p.unavailabilityCause().map(c -> " (unavailable: " + c + ")").orElse(""))
                .collect(Collectors.joining(", "));
    }
}
