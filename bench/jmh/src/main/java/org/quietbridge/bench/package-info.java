/** JMH benchmarks of the data plane's forwarding logic (bench/microbench runs them). */
package org.quietbridge.bench;
