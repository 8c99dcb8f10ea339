package io.weft.samples;

/**
 * How a sample serves its connections, chosen with {@code --style}. Each sample's main switches on
 * it; a new style (for example {@code vthreads}, blocking-style handlers on virtual threads from
 * loop-vthreads) is a new constant here and a new case there.
 */
public enum ServerStyle {
    /** Callbacks on the loop thread: a {@code ConnectionHandler} per connection. */
    LOOP,
    /** Blocking code on virtual threads (loop-vthreads), one per connection, carried by its loop. */
    VTHREADS;

    /** The name used on the command line. */
    public String optionName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    static ServerStyle parse(String value) throws UsageException {
        for (ServerStyle style : values()) {
            if (style.optionName().equals(value)) {
                return style;
            }
        }
        throw new UsageException("--style: unknown style '" + value + "'; available: "
                + java.util.Arrays.stream(values()).map(ServerStyle::optionName).toList(), false);
    }
}
