package org.quietbridge.bridge.agent;

/** What the data-plane thread does when a round found no work. */
public interface IdleStrategy {
    /**
     * @param workCount the work the last round did; a strategy resets its back-off when it is
     *     positive
     */
    void idle(int workCount) throws Exception;

    /** Spins: lowest latency, one core at 100% whatever the load. */
    static IdleStrategy busySpin() {
        return work -> Thread.onSpinWait();
    }
}
