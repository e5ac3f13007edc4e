package org.quietbridge.bridge.agent;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Owns the data-plane thread: calls {@link Agent#doWork} in a loop, idles through an
 * {@link IdleStrategy} when there is nothing to do, and survives errors: one bad round is
 * reported and counted, and forwarding goes on.
 */
public final class AgentRunner implements Runnable, AutoCloseable {
    private final Agent agent;
    private final IdleStrategy idle;
    private final Consumer<Throwable> errorHandler;
    private final AtomicLong errors = new AtomicLong();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile Thread thread;

    public AgentRunner(Agent agent, IdleStrategy idle, Consumer<Throwable> errorHandler) {
        this.agent = agent;
        this.idle = idle;
        this.errorHandler = errorHandler;
    }

    /** Starts the loop on a new platform thread named after the agent. */
    public Thread start() {
        Thread t = new Thread(this, agent.roleName());
        thread = t;
        t.start();
        return t;
    }

    @Override
    public void run() {
        thread = Thread.currentThread();
        try {
            while (running) {
                int work;
                try {
                    work = agent.doWork();
                } catch (InterruptedException e) {
                    break;
                } catch (Throwable t) {
                    errors.incrementAndGet();
                    errorHandler.accept(t);
                    work = 0;
                }
                try {
                    idle.idle(work);
                } catch (InterruptedException e) {
                    break;
                } catch (Throwable t) {
                    errors.incrementAndGet();
                    errorHandler.accept(t);
                }
            }
        } finally {
            try {
                agent.onClose();
            } finally {
                stopped.countDown();
            }
        }
    }

    public boolean isRunning() {
        return running && stopped.getCount() > 0;
    }

    /** Errors the agent threw; each one was reported and the loop went on. */
    public long errors() {
        return errors.get();
    }

    /** Stops the loop and waits for {@link Agent#onClose} to finish. Idempotent. */
    @Override
    public void close() {
        running = false;
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) {
            try {
                if (!stopped.await(5, TimeUnit.SECONDS)) {
                    t.interrupt();
                    stopped.await(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
