package io.weft.loop.epoll.internal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.SelectableChannel;

/**
 * The file descriptor of a JDK {@link SelectableChannel}, so the epoll poller can watch channels as
 * it watches raw fds. JDK 25 has no public way to get it: the JDK's channels implement {@code
 * sun.nio.ch.SelChImpl}, whose {@code getFDVal()} is readable only where {@code java.base} exports
 * {@code sun.nio.ch} to this module, which takes the flag {@link #FLAG}. Without it, asking for an
 * fd throws an {@link UnsupportedOperationException} that names the flag.
 */
final class ChannelFds {
    /** The flag that exports {@code sun.nio.ch} to this module (named, or the class path's). */
    static final String FLAG = "--add-exports java.base/sun.nio.ch="
            + (ChannelFds.class.getModule().isNamed() ? ChannelFds.class.getModule().getName() : "ALL-UNNAMED");

    private static final Class<?> SEL_CH_IMPL = selChImpl();
    /** {@code (SelectableChannel) int}, or null without {@link #FLAG}. */
    private static final MethodHandle GET_FD_VAL = getFdVal();

    private ChannelFds() {
    }

    /**
     * The fd of {@code channel}.
     *
     * @throws UnsupportedOperationException without {@link #FLAG}, or for a channel that is not the
     *     JDK's own
     */
    static int fdOf(SelectableChannel channel) {
        if (GET_FD_VAL == null) {
            throw new UnsupportedOperationException("the epoll poller watches " + channel
                    + " through its file descriptor, which the JDK gives only with the JVM flag " + FLAG
                    + "; add it, watch a raw fd (PollSource.ofFd), or run with -Dweft.poller=nio");
        }
        if (!SEL_CH_IMPL.isInstance(channel)) {
            throw new UnsupportedOperationException("the epoll poller watches the JDK's own channels, not "
                    + channel.getClass().getName() + "; run with -Dweft.poller=nio");
        }
        try {
            return (int) GET_FD_VAL.invokeExact(channel);
        } catch (Throwable t) {
            throw Native.unexpected(t);
        }
    }

    private static Class<?> selChImpl() {
        try {
            return Class.forName("sun.nio.ch.SelChImpl", false, null);
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static MethodHandle getFdVal() {
        if (!Object.class.getModule().isExported("sun.nio.ch", ChannelFds.class.getModule())) {
            return null;
        }
        try {
            return MethodHandles.lookup().findVirtual(SEL_CH_IMPL, "getFDVal", MethodType.methodType(int.class))
                    .asType(MethodType.methodType(int.class, SelectableChannel.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
