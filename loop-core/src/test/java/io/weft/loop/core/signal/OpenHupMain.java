package io.weft.loop.core.signal;

import io.weft.loop.core.EventLoop;

/** Opens a SIGHUP handle and prints what happened: for {@link SignalContract}, run under {@code nohup}. */
public final class OpenHupMain {
    private OpenHupMain() {
    }

    public static void main(String[] args) {
        try (EventLoop loop = EventLoop.create()) {
            SignalHandle.open(loop, Signal.HUP, (handle, count) -> { }).close();
            System.out.println("opened");
        } catch (IllegalStateException e) {
            System.out.println(e.getMessage());
        }
    }
}
