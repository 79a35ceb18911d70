/**
 * Colours alternate, recorded on the cluster: a traffic switch leaves the colour and version it moved
 * away from on the gateway Service, liveColour reads them back, and a colour's image and version are set
 * with a change cause, idempotently.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { change, ENV, NS, startHarness, type Harness } from './cluster-support.ts';
import { imageTag, withTag } from '../../src/cluster/image-tag.ts';
import { rollbackColour } from '../../src/handlers/deployment/colours.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.sim.stop();
  h = undefined;
});

describe('blue/green colours on the cluster', () => {
  it('records the previous colour and version on every switch, so rollback targets alternate', async () => {
    h = await startHarness();
    const first = await h.cluster.liveColour(ENV);
    expect(first).toMatchObject({ colour: 'green' });
    expect(first.previous).toBeUndefined();
    // The runbook's first deploy: nothing recorded, so rollback goes to the idle colour.
    expect(rollbackColour(first)).toBe('blue');

    await h.cluster.switchTraffic(ENV, 'blue', change());
    const afterBlue = await h.cluster.liveColour(ENV);
    expect(afterBlue).toMatchObject({ colour: 'blue', previous: { colour: 'green', version: '2.4.0' } });
    expect(rollbackColour(afterBlue)).toBe('green');
    const annotations = h.sim.getService(NS, 'eafix-gateway')?.metadata?.annotations ?? {};
    expect(annotations).toMatchObject({ 'eafix.io/previous-colour': 'green', 'eafix.io/previous-version': '2.4.0' });

    await h.cluster.switchTraffic(ENV, 'green', change({ requestId: 'req-2' }));
    expect(await h.cluster.liveColour(ENV)).toMatchObject({
      colour: 'green',
      previous: { colour: 'blue', version: '2.3.1' },
    });
    // Already there: no write, the record stays.
    const writes = h.sim.writes.length;
    await h.cluster.switchTraffic(ENV, 'green', change({ requestId: 'req-3' }));
    expect(h.sim.writes.length).toBe(writes);
  });

  it("sets a colour's image and version with a change cause, and does nothing the second time", async () => {
    h = await startHarness();
    const image = 'registry.eafix.local/eafix/gateway:2.5.0';
    const result = await h.cluster.setColourImage(ENV, 'blue', { image, version: '2.5.0' }, change());
    expect(result).toMatchObject({ deployment: 'eafix-blue', toImage: image, fromVersion: '2.3.1', changed: true });
    const blue = h.sim.getDeployment(NS, 'eafix-blue');
    expect(blue?.spec?.template?.spec?.containers?.[0]?.image).toBe(image);
    expect(blue?.metadata?.annotations).toMatchObject({
      'eafix.io/version': '2.5.0',
      'kubernetes.io/change-cause': 'eafix deploy 2.5.0 by U_ALICE: runbook: immediate rollback',
      'eafix.io/request-id': 'req-123',
    });
    const again = await h.cluster.setColourImage(ENV, 'blue', { image, version: '2.5.0' }, change());
    expect(again.changed).toBe(false);
  });

  it('reads and replaces image tags', () => {
    expect(imageTag('registry.eafix.local:5000/eafix/gateway:2.4.0')).toBe('2.4.0');
    expect(imageTag('registry.eafix.local:5000/eafix/gateway')).toBeUndefined();
    expect(withTag('registry.eafix.local:5000/eafix/gateway:2.4.0', '2.5.0')).toBe(
      'registry.eafix.local:5000/eafix/gateway:2.5.0',
    );
    expect(withTag('registry.eafix.local:5000/eafix/gateway', '3')).toBe('registry.eafix.local:5000/eafix/gateway:3');
  });
});
