package io.weft.loop.testkit;

import java.lang.module.ModuleFinder;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Commands that start a main class in a new JVM laid out like this one: the same class path and
 * module path, and, when the main class is in a named module that this JVM runs patched with test
 * classes (as surefire runs a module's tests), the same patch. For tests that watch a process with
 * other flags or limits than their own, on the module path as on the class path.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * The command line: {@code java}, then {@code jvmFlags}, the paths, {@code main} and {@code args}.
     * A main class in a named module runs as {@code -m module/class}. Any thread.
     *
     * @param jvmFlags flags for the child JVM, before the class or module path
     * @param main the class whose {@code main} the child runs
     * @param args the arguments of that {@code main}
     * @return the command, ready for a {@link ProcessBuilder}
     */
    public static List<String> command(List<String> jvmFlags, Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        String classPath = System.getProperty("java.class.path", "");
        if (!classPath.isEmpty()) {
            command.addAll(List.of("-cp", classPath));
        }
        String modulePath = System.getProperty("jdk.module.path", "");
        if (!modulePath.isEmpty()) {
            command.addAll(List.of("--module-path", modulePath, "--add-modules", "ALL-MODULE-PATH"));
        }
        Module module = main.getModule();
        if (module.isNamed()) {
            Path classes = locationOf(main);
            Optional<Path> packaged = module.getLayer().configuration().findModule(module.getName())
                    .flatMap(resolved -> resolved.reference().location()).map(Path::of);
            if (!packaged.equals(Optional.of(classes))) {
                command.addAll(List.of("--patch-module", module.getName() + "=" + classes));
            }
            command.addAll(List.of("-m", module.getName() + "/" + main.getName()));
        } else {
            command.add(main.getName());
        }
        command.addAll(List.of(args));
        return command;
    }

    /**
     * {@return the {@code --enable-native-access} flag that gives a child what this JVM gives: the class path
     * and every named module outside the JDK that has native access here}
     */
    public static String nativeAccessFlag() {
        ModuleFinder jdk = ModuleFinder.ofSystem();
        Stream<String> modules = ModuleLayer.boot().modules().stream()
                .filter(m -> m.isNativeAccessEnabled() && jdk.find(m.getName()).isEmpty()).map(Module::getName).sorted();
        return "--enable-native-access=" + Stream.concat(Stream.of("ALL-UNNAMED"), modules).collect(Collectors.joining(","));
    }

    private static Path locationOf(Class<?> type) {
        try {
            URI location = type.getProtectionDomain().getCodeSource().getLocation().toURI();
            return Path.of(location);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("no file location for " + type, e);
        }
    }
}
