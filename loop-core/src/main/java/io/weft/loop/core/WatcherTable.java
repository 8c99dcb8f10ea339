package io.weft.loop.core;

import java.util.Arrays;

/**
 * Maps poller tokens to open watchers. A token is {@code generation << 32 | slot}: a slot freed by
 * a closing watcher is reused with the next generation, so an event still queued for the old
 * watcher (same slot, perhaps the same fd reused) never reaches the new one. Loop thread only.
 */
final class WatcherTable {
    private Watcher[] watchers = new Watcher[64];
    private int[] generations = new int[64];
    private int[] free = new int[64];
    private int freeCount;
    private int used;
    private int size;

    /** Reserves a slot and returns the token for it; {@link #put} fills it. */
    long reserve() {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else {
            if (used == watchers.length) {
                watchers = Arrays.copyOf(watchers, used * 2);
                generations = Arrays.copyOf(generations, used * 2);
            }
            slot = used++;
        }
        return ((long) generations[slot] << 32) | slot;
    }

    void put(Watcher watcher) {
        watchers[watcher.slot] = watcher;
        size++;
    }

    /** The open watcher with exactly this token, or null if it closed since. */
    Watcher lookup(long token) {
        int slot = (int) token;
        if (slot < 0 || slot >= used) {
            return null;
        }
        Watcher watcher = watchers[slot];
        return watcher != null && watcher.token == token ? watcher : null;
    }

    /** Frees the watcher's slot; its next user gets a new generation. */
    void remove(Watcher watcher) {
        int slot = watcher.slot;
        watchers[slot] = null;
        generations[slot]++;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, freeCount * 2);
        }
        free[freeCount++] = slot;
        size--;
    }

    int size() {
        return size;
    }

    /** A copy of the open watchers, for closing them all. */
    Watcher[] snapshot() {
        Watcher[] open = new Watcher[size];
        int n = 0;
        for (int i = 0; i < used; i++) {
            if (watchers[i] != null) {
                open[n++] = watchers[i];
            }
        }
        return open;
    }
}
