import { closeConnection, connect } from '../stores/sql/connect.js';
import { migrate } from '../stores/sql/migrations.js';

export async function runDbUpgrade(uri: string): Promise<void> {
  const conn = connect(uri);
  try {
    const { from, to } = await migrate(conn.db, conn.dialect);
    process.stdout.write(from === to ? `Schema is up to date (version ${to}).\n` : `Upgraded schema from version ${from} to ${to}.\n`);
  } finally {
    await closeConnection(conn);
  }
}
