package io.weft.loop.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The unbounded multi-producer, single-consumer queue behind {@link EventLoop#execute}.
 *
 * <p>A linked list of fixed-size chunks: a producer claims a slot with one {@code getAndAdd} on
 * the tail chunk and publishes into it with a release store, so producers never retry a CAS loop
 * on a hot counter, and one allocation serves {@value #CHUNK} tasks. The single consumer (the loop
 * thread) reads slots in order; a slot that is claimed but not yet published counts as pending, so
 * the loop polls again without blocking instead of spinning on it.
 */
final class CallbackQueue {
    static final int CHUNK = 1024;

    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Runnable[].class);
    private static final VarHandle CLAIMED;
    private static final VarHandle NEXT;
    private static final VarHandle TAIL;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            CLAIMED = lookup.findVarHandle(Chunk.class, "claimed", int.class);
            NEXT = lookup.findVarHandle(Chunk.class, "next", Chunk.class);
            TAIL = lookup.findVarHandle(CallbackQueue.class, "tail", Chunk.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private static final class Chunk {
        final Runnable[] slots = new Runnable[CHUNK];
        final long base;
        volatile int claimed;
        volatile Chunk next;

        Chunk(long base) {
            this.base = base;
        }
    }

    private volatile Chunk tail;
    private Chunk head;
    private int headIndex;

    CallbackQueue() {
        head = tail = new Chunk(0);
    }

    /** Appends {@code task}; safe from any thread, lock-free. */
    void offer(Runnable task) {
        for (;;) {
            Chunk chunk = tail;
            int index = (int) CLAIMED.getAndAdd(chunk, 1);
            if (index < CHUNK) {
                SLOT.setRelease(chunk.slots, index, task);
                return;
            }
            advanceTail(chunk);
        }
    }

    /**
     * Moves the tail past the full {@code chunk}, appending the next chunk if no producer has yet.
     * Out of line on purpose: it runs once per {@value #CHUNK} offers. Inlined (with the wake-up's
     * error handler, see {@code LoopThread.wakeUp}) it made {@link EventLoop#execute} about 2.9 KB
     * of compiled code, over C2's limit for inlining an already compiled method into a caller
     * ({@code InlineSmallCode}, 2.5 KB): a producer's loop called {@code execute} instead of
     * inlining it. Out of line, {@code execute} compiles to about 1.3 KB.
     */
    private void advanceTail(Chunk chunk) {
        Chunk next = chunk.next;
        if (next == null) {
            Chunk fresh = new Chunk(chunk.base + CHUNK);
            Chunk won = (Chunk) NEXT.compareAndExchange(chunk, null, fresh);
            next = won == null ? fresh : won;
        }
        TAIL.compareAndSet(this, chunk, next);
    }

    /** Takes the next published task, or null. Loop thread only. */
    Runnable poll() {
        Chunk chunk = head;
        int index = headIndex;
        if (index == CHUNK) {
            Chunk next = chunk.next;
            if (next == null) {
                return null;
            }
            head = chunk = next;
            headIndex = index = 0;
        }
        Runnable task = (Runnable) SLOT.getAcquire(chunk.slots, index);
        if (task == null) {
            return null;
        }
        chunk.slots[index] = null;
        headIndex = index + 1;
        return task;
    }

    /** Whether nothing is claimed past the consumer; a claimed, unpublished slot is not empty. */
    boolean isEmpty() {
        Chunk chunk = head;
        int index = headIndex;
        if (index == CHUNK) {
            Chunk next = chunk.next;
            return next == null || next.claimed == 0;
        }
        return chunk.claimed <= index;
    }

    /** An estimate of the tasks waiting, for stats; safe from any thread. */
    long sizeEstimate() {
        Chunk last = tail;
        long produced = last.base + Math.min(last.claimed, CHUNK);
        Chunk first = head;
        long consumed = first.base + headIndex;
        return Math.max(0, produced - consumed);
    }
}
