package io.weft.loop.core.net;

import java.io.IOException;
import java.net.ConnectException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * The file a listening Unix domain socket lives in. {@code bind} creates it and the kernel never
 * removes it, so a server removes it when it closes, and removes a stale one (left by a process that
 * died) before it binds.
 *
 * <p>Stale means: a socket file (never a regular file or anything else) on which a connect is
 * refused, so no process listens there. A file a process still listens on is left alone, and the
 * bind then fails with {@code EADDRINUSE}. Go and Node leave any existing file to the application
 * (bind fails); Weft probes, so a crashed server restarts cleanly and a running one is never
 * displaced.
 */
final class UnixSocketFile {
    /** {@code S_IFMT} and {@code S_IFSOCK} of {@code st_mode} (inode(7)). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;

    private UnixSocketFile() {
    }

    /** Removes the socket file at {@code path} if it is stale (see the class comment); quiet otherwise. */
    static void removeIfStale(Path path) {
        if (!isSocketFile(path)) {
            return;
        }
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            // Non-blocking: a listener whose backlog is full would hold a blocking connect (unix(7));
            // such a connect reports "pending", and the file is live.
            probe.configureBlocking(false);
            probe.connect(UnixDomainSocketAddress.of(path));
        } catch (ConnectException refused) {
            remove(path);
        } catch (IOException other) {
            // cannot tell (permissions, ...): leave it, and let bind say what is wrong
        }
    }

    /** Removes the file at {@code path} if it is still there; a failure to remove is not an error to report. */
    static void remove(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // e.g. the directory became read-only: the next server's stale check removes it
        }
    }

    private static boolean isSocketFile(Path path) {
        try {
            int mode = (Integer) Files.getAttribute(path, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            return (mode & S_IFMT) == S_IFSOCK;
        } catch (NoSuchFileException absent) {
            return false;
        } catch (IOException | UnsupportedOperationException e) {
            return false; // no way to tell it is a socket: never remove what might be someone's file
        }
    }
}
