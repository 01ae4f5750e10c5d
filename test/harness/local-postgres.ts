import * as fs from "fs";
import * as net from "net";
import * as path from "path";

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<major>/bin). */
export function postgresBin(): string {
    const root = "/usr/lib/postgresql";
    const majors = fs.existsSync(root) ? fs.readdirSync(root).filter((d) => fs.existsSync(path.join(root, d, "bin", "initdb"))) : [];
    const major = majors.sort((a, b) => Number(b) - Number(a))[0];
    if (major === undefined)
        throw new Error("no PostgreSQL server in /usr/lib/postgresql: run `bash scripts/setup.sh` (apt-get install postgresql)");
    return path.join(root, major, "bin");
}

/** A free TCP port on loopback for a test server. */
export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}
