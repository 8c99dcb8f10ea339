package io.weft.loop.vthreads;

/** Which threads carry (run) the virtual threads of a loop; see {@link VirtualThreads}. */
public enum Carrier {
    /**
     * The loop thread itself: each run of a virtual thread, from one park to the next, is one loop
     * callback. Needs {@code --add-opens java.base/java.lang=ALL-UNNAMED} (or the module's name);
     * without it {@link VirtualThreads} falls back to {@link #POOL} and logs why, once.
     */
    LOOP,
    /** The JDK's default virtual-thread scheduler; requests are handed to the loop. Portable, no flags. */
    POOL
}
