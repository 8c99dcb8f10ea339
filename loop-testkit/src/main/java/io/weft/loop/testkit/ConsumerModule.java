package io.weft.loop.testkit;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;
import javax.tools.ToolProvider;

/**
 * Compiles a tiny named module the way a user's project would, against Weft's built modules on the
 * module path: proves that {@code requires} of one Weft module is enough to use the types its API
 * shows (the {@code requires transitive} a module owes its consumers).
 */
public final class ConsumerModule {
    private ConsumerModule() {
    }

    /**
     * Compiles module {@code consumer}, which {@code requires} only {@code required}, with one class
     * {@code consumer.Use} whose body is {@code classBody}.
     *
     * @param work an empty directory for the sources and classes
     * @param required the one Weft module the consumer requires, such as {@code io.weft.loop.vthreads}
     * @param classBody the members of {@code consumer.Use}, as Java source
     * @param modulePath classes whose code locations (a jar or a classes directory) form the module path
     * @return javac's diagnostics; empty when the module compiled
     * @throws IOException if the sources cannot be written
     */
    public static String compile(Path work, String required, String classBody, Class<?>... modulePath)
            throws IOException {
        Path sources = Files.createDirectories(work.resolve("src/consumer"));
        Files.writeString(work.resolve("src/module-info.java"), "module consumer { requires " + required + "; }\n");
        Files.writeString(sources.resolve("Use.java"), "package consumer;\nclass Use {\n" + classBody + "\n}\n");
        String path = Arrays.stream(modulePath).map(ConsumerModule::location).distinct()
                .collect(Collectors.joining(File.pathSeparator));
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics,
                "-d", work.resolve("classes").toString(), "--module-path", path,
                work.resolve("src/module-info.java").toString(), sources.resolve("Use.java").toString());
        return status == 0 ? "" : diagnostics.toString(StandardCharsets.UTF_8);
    }

    private static String location(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("no file location for " + type, e);
        }
    }
}
