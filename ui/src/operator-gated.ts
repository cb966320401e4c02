import type { Role } from '../../src/stream/protocol.js';

/**
 * A dashboard control that only the operator may use, and only while connected: it keeps the role
 * and the connection, and redraws itself (`render`) when either changes.
 */
export abstract class OperatorGated {
  protected role: Role = 'viewer';
  protected connected = false;

  setRole(role: Role): void {
    this.role = role;
    this.render();
  }

  setConnected(connected: boolean): void {
    this.connected = connected;
    this.render();
  }

  /** The operator, connected. */
  protected get canOperate(): boolean {
    return this.role === 'operator' && this.connected;
  }

  protected abstract render(): void;
}
