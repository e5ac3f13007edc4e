package org.quietbridge.capture;

import java.io.IOException;
import java.io.InputStream;

/** A byte stream that knows its position, so errors can name the offset at fault. */
final class CaptureInput implements AutoCloseable {
    private final InputStream in;
    private long position;

    CaptureInput(InputStream in) {
        this.in = in;
    }

    /** Reads {@code length} bytes, or fewer only at the end of the input; returns the count. */
    int read(byte[] into, int offset, int length) throws IOException {
        int n = in.readNBytes(into, offset, length);
        position += n;
        return n;
    }

    /** Skips {@code length} bytes through {@code scratch}; returns how many there were. */
    long skip(long length, byte[] scratch) throws IOException {
        long done = 0;
        while (done < length) {
            int n = read(scratch, 0, (int) Math.min(scratch.length, length - done));
            if (n == 0) {
                break;
            }
            done += n;
        }
        return done;
    }

    /** Bytes consumed so far: the offset of the next byte. */
    long position() {
        return position;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
