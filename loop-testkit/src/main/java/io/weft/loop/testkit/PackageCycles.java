package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import java.io.File;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

/**
 * Finds package cycles in a module's compiled classes with the JDK's own {@code jdeps}, for a test
 * per module: {@code PackageCycles.assertNone(SomeClassOfTheModule.class)}.
 */
public final class PackageCycles {
    private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.weft\\.\\S+)\\s+->\\s+(io\\.weft\\.\\S+)\\s");

    private PackageCycles() {
    }

    /**
     * Fails, naming the cycle, if the packages of the module (or class-path directory) that holds
     * {@code member} depend on each other in a circle. jdeps resolves the module's {@code requires}
     * from loop-core and the modules holding {@code required} (one class of each other module).
     *
     * @param member any class of the module under test
     * @param required one class of each other module that module requires, besides loop-core
     */
    public static void assertNone(Class<?> member, Class<?>... required) {
        Path classes = locationOf(member);
        StringBuilder modulePath = new StringBuilder(locationOf(EventLoop.class).toString());
        for (Class<?> type : required) {
            modulePath.append(File.pathSeparatorChar).append(locationOf(type));
        }
        Map<String, Set<String>> graph = dependencies(classes, modulePath.toString());
        assertThat(graph).as("jdeps found the packages of " + classes).isNotEmpty();
        assertThat(cycle(graph)).as("a package cycle in " + classes).isEmpty();
    }

    private static Path locationOf(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Package to the Weft packages it uses, from {@code jdeps -verbose:package}. */
    private static Map<String, Set<String>> dependencies(Path classes, String modulePath) {
        ToolProvider jdeps = ToolProvider.findFirst("jdeps")
                .orElseThrow(() -> new IllegalStateException("jdeps is missing: run the tests on a full JDK"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(new PrintWriter(out), new PrintWriter(err), "-verbose:package",
                "-e", "io\\.weft\\..*", "--module-path", modulePath, classes.toString());
        assertThat(status).as("jdeps failed: " + err).isZero();
        Map<String, Set<String>> graph = new TreeMap<>();
        for (String line : out.toString().split("\\R")) {
            Matcher m = EDGE.matcher(line);
            if (m.find() && !m.group(1).equals(m.group(2))) {
                graph.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
        }
        return graph;
    }

    /** One cycle as a path of packages (first = last), or an empty list. Depth first. */
    static List<String> cycle(Map<String, Set<String>> graph) {
        Set<String> done = new HashSet<>();
        for (String start : graph.keySet()) {
            List<String> path = new ArrayList<>();
            if (visit(start, graph, done, path)) {
                return path;
            }
        }
        return List.of();
    }

    private static boolean visit(String node, Map<String, Set<String>> graph, Set<String> done, List<String> path) {
        int seen = path.indexOf(node);
        if (seen >= 0) {
            path.subList(0, seen).clear();
            path.add(node);
            return true;
        }
        if (!done.add(node)) {
            return false;
        }
        path.add(node);
        for (String next : graph.getOrDefault(node, Set.of())) {
            if (visit(next, graph, done, path)) {
                return true;
            }
        }
        path.removeLast();
        return false;
    }
}
