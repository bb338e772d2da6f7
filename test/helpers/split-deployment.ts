// The split deployment in this process: one connection process and one logic process over a Redis
// the test started (test/server/split/split-roles.test.ts covers the roles themselves; this is for real
// clients that only need a port to talk to).
import { startConnectionProcess } from '../../src/server/split/connection-process';
import { startLogicProcess } from '../../src/server/split/logic-process';

export interface SplitDeployment {
  /** Where clients connect: the connection process. */
  readonly port: number;
  close(): Promise<void>;
}

export async function startSplitDeployment(redisUrl: string, redisPrefix: string): Promise<SplitDeployment> {
  const conn = await startConnectionProcess({ redisUrl, redisPrefix, port: 0 });
  const logic = await startLogicProcess({ redisUrl, redisPrefix, protocol: 'versioned' });
  return {
    port: conn.port,
    async close() {
      await conn.close();
      await logic.close();
    },
  };
}
