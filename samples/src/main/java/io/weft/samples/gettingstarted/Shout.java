package io.weft.samples.gettingstarted;

/** The service of the getting-started page: ASCII letters upper-cased, every other byte as is. */
final class Shout {
    private Shout() {
    }

    /** {@code b} upper-cased when it is an ASCII lower-case letter. */
    static byte upperCase(byte b) {
        return b >= 'a' && b <= 'z' ? (byte) (b - ('a' - 'A')) : b;
    }
}
