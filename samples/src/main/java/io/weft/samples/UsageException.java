package io.weft.samples;

/** The command line is wrong (or asks for help); the message says what, and the usage follows it. */
public final class UsageException extends Exception {
    private static final long serialVersionUID = 1L;
    private final boolean helpRequested;

    UsageException(String message, boolean helpRequested) {
        super(message);
        this.helpRequested = helpRequested;
    }

    /** Whether the user asked for the usage ({@code --help}) rather than made a mistake. */
    public boolean helpRequested() {
        return helpRequested;
    }
}
