package org.quietbridge.bridge.agent;

/**
 * A unit of data-plane work driven by an {@link AgentRunner} (after Agrona's Agent): the
 * runner owns the thread, the loop, idling and error handling; tests call {@link #doWork}
 * directly.
 */
public interface Agent {
    /**
     * Does one round of work.
     *
     * @return how much work was done (for example frames handled); 0 lets the runner idle
     */
    int doWork() throws Exception;

    /** Called once on the agent's thread after the loop ends. */
    default void onClose() {
    }

    String roleName();
}
