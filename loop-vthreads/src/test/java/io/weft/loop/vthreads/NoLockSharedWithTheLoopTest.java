package io.weft.loop.vthreads;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.classfile.MethodModel;
import java.lang.classfile.instruction.InvokeInstruction;
import java.lang.classfile.instruction.MonitorInstruction;
import java.lang.reflect.AccessFlag;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package's rule on locks, checked in the bytecode of every class of it: no {@code synchronized}
 * method or block, no call to a {@code java.util.concurrent.locks} lock, a blocking queue or a
 * thread pool. A loop thread that waited on one of them could be waiting for a thread it carries,
 * which only it can run (the deadlock the reliability run found in {@code BlockingServerSocket}).
 * {@code LockSupport} (how a {@link Waiter} parks) and the lock-free concurrent collections are fine.
 */
class NoLockSharedWithTheLoopTest {

    @Test
    void noClassOfThePackageTakesALockOrCallsABlockingQueueOrPool() throws IOException, URISyntaxException {
        Path classes = Path.of(BlockingSocket.class.getResource("BlockingSocket.class").toURI()).getParent();
        List<String> found = new ArrayList<>();
        int checked = 0;
        try (Stream<Path> files = Files.list(classes)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".class")).sorted().toList()) {
                ClassModel model = ClassFile.of().parse(file);
                checked++;
                for (MethodModel method : model.methods()) {
                    String where = model.thisClass().asInternalName().replace('/', '.') + "." + method.methodName().stringValue();
                    if (method.flags().has(AccessFlag.SYNCHRONIZED)) {
                        found.add(where + ": a synchronized method");
                    }
                    method.code().ifPresent(code -> code.forEach(element -> {
                        if (element instanceof MonitorInstruction) {
                            found.add(where + ": a synchronized block");
                        } else if (element instanceof InvokeInstruction call && blocks(call.owner().asInternalName())) {
                            found.add(where + ": calls " + call.owner().asInternalName().replace('/', '.') + "." + call.name().stringValue());
                        }
                    }));
                }
            }
        }
        assertThat(checked).as("classes of the package found in " + classes).isGreaterThan(8);
        assertThat(found).as("locks and blocking structures in io.weft.loop.vthreads").isEmpty();
    }

    private static boolean blocks(String owner) {
        return owner.startsWith("java/util/concurrent/locks/") && !owner.equals("java/util/concurrent/locks/LockSupport")
                || owner.endsWith("BlockingQueue") || owner.endsWith("BlockingDeque")
                || owner.equals("java/util/concurrent/ThreadPoolExecutor")
                || owner.equals("java/util/concurrent/Semaphore")
                || owner.equals("java/util/concurrent/CountDownLatch");
    }
}
