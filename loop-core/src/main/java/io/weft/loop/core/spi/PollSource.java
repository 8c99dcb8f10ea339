package io.weft.loop.core.spi;

import java.nio.channels.SelectableChannel;
import java.util.Objects;

/**
 * What a {@link Poller} watches: a {@code java.nio} channel or a raw file descriptor.
 *
 * <p>A poller accepts the kinds it can watch and rejects the others with an {@link
 * UnsupportedOperationException} that says which poller to use instead.
 */
public sealed interface PollSource {

    /** A non-blocking {@code java.nio} channel. */
    record Channel(SelectableChannel channel) implements PollSource {
        public Channel {
            Objects.requireNonNull(channel, "channel");
        }
    }

    /** A file descriptor owned by the caller, such as a native socket or an eventfd. */
    record Fd(int fd) implements PollSource {
        public Fd {
            if (fd < 0) {
                throw new IllegalArgumentException("fd must be >= 0, got " + fd);
            }
        }
    }

    /** Returns the source for a channel. */
    static PollSource of(SelectableChannel channel) {
        return new Channel(channel);
    }

    /** Returns the source for a raw file descriptor. */
    static PollSource ofFd(int fd) {
        return new Fd(fd);
    }
}
