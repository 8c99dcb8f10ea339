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

    /**
     * A non-blocking {@code java.nio} channel.
     *
     * @param channel the channel, in non-blocking mode
     */
    record Channel(SelectableChannel channel) implements PollSource {
        /**
         * Checks the channel.
         *
         * @param channel the channel, in non-blocking mode
         * @throws NullPointerException if {@code channel} is null
         */
        public Channel {
            Objects.requireNonNull(channel, "channel");
        }
    }

    /**
     * A file descriptor owned by the caller, such as a native socket or an eventfd.
     *
     * @param fd the descriptor
     * @param knownPollable the creator vouches that the fd is open and pollable (a socket it has
     *     just made), so {@link Poller#validate} skips its probe; false for fds from users
     */
    record Fd(int fd, boolean knownPollable) implements PollSource {
        /**
         * Checks the descriptor.
         *
         * @param fd the descriptor
         * @param knownPollable whether the creator vouches that it is open and pollable
         * @throws IllegalArgumentException if {@code fd} is negative
         */
        public Fd {
            if (fd < 0) {
                throw new IllegalArgumentException("fd must be >= 0, got " + fd);
            }
        }

        /**
         * A user's fd, which {@link Poller#validate} checks.
         *
         * @param fd the descriptor, 0 or more
         */
        public Fd(int fd) {
            this(fd, false);
        }

        /** Equal when they name the same fd: {@code knownPollable} is a promise about it, not its identity. */
        @Override
        public boolean equals(Object o) {
            return o instanceof Fd other && fd == other.fd;
        }

        @Override
        public int hashCode() {
            return Integer.hashCode(fd);
        }
    }

    /**
     * {@return the source for a channel}
     *
     * @param channel the channel, in non-blocking mode
     */
    static PollSource of(SelectableChannel channel) {
        return new Channel(channel);
    }

    /**
     * {@return the source for a raw file descriptor, which {@link Poller#validate} checks}
     *
     * @param fd the descriptor
     */
    static PollSource ofFd(int fd) {
        return new Fd(fd);
    }

    /**
     * {@return the source for a raw file descriptor its creator knows to be open and pollable, such
     * as a socket a TCP backend has just made or accepted: {@link Poller#validate} trusts it and
     * costs no system call} Never for a descriptor that came from a user.
     *
     * @param fd the descriptor, open and pollable
     */
    static PollSource ofKnownPollableFd(int fd) {
        return new Fd(fd, true);
    }
}
