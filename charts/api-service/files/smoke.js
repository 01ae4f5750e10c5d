/* global process, fetch, AbortSignal, console */
// GET each path through the Service; any answer but 2xx (or no answer in time) fails the Helm test.
const [base, timeoutSeconds, ...paths] = process.argv.slice(1);
(async () => {
    let failed = 0;
    for (const path of paths) {
        try {
            const res = await fetch(base + path, { signal: AbortSignal.timeout(Number(timeoutSeconds) * 1000) });
            console.log(`${path} ${res.status}`);
            if (res.status < 200 || res.status > 299) failed++;
        } catch (error) {
            console.log(`${path} ${error.name}: ${error.message}`);
            failed++;
        }
    }
    process.exit(failed === 0 ? 0 : 1);
})();
