/**
 * Blue/green as people see it: the live colour is what the gateway selects, the idle colour the other
 * one; a colour's version is its image tag. Rollback returns to the colour the gateway Service recorded
 * as previous, or to the idle colour when none is recorded (the runbook's first deploy).
 */
import type { Colour, DeploymentStatus, LiveColour } from '../../cluster/cluster.ts';
import type { Topology } from '../../config/topology.ts';

export const otherColour = (colour: Colour): Colour => (colour === 'blue' ? 'green' : 'blue');

/** The tag of the first image (`…/gateway:2.4.0` → `2.4.0`). */
export function versionOfImages(images: readonly string[]): string | undefined {
  const image = images[0];
  if (!image || image.includes('@')) return undefined;
  const last = image.slice(image.lastIndexOf('/') + 1);
  const at = last.lastIndexOf(':');
  return at > 0 ? last.slice(at + 1) : undefined;
}

export function rollbackColour(live: LiveColour): Colour {
  if (live.colour === 'unknown') return live.previous?.colour ?? 'blue';
  if (live.previous && live.previous.colour !== live.colour) return live.previous.colour;
  return otherColour(live.colour);
}

/** Where a deploy goes: the colour the gateway does not select. */
export function idleColour(live: LiveColour): Colour {
  return live.colour === 'unknown' ? 'blue' : otherColour(live.colour);
}

export interface ColourView {
  colour: Colour;
  deployment: string;
  version: string | undefined;
  image: string | undefined;
  ready: number;
  desired: number;
}

export function colourViews(topology: Topology, deployments: readonly DeploymentStatus[]): Record<Colour, ColourView> {
  const view = (colour: Colour): ColourView => {
    const name = topology.colours[colour].deployment;
    const d = deployments.find((x) => x.name === name);
    return {
      colour,
      deployment: name,
      version: d ? versionOfImages(d.images) : undefined,
      image: d?.images[0],
      ready: d?.ready ?? 0,
      desired: d?.desired ?? 0,
    };
  };
  return { blue: view('blue'), green: view('green') };
}

/** `*Live:* green 2.4.0 (3/3) · *Idle:* blue 2.3.1 (0/0) · *Rollback to:* blue 2.3.1` */
export function coloursLine(topology: Topology, live: LiveColour, deployments: readonly DeploymentStatus[]): string {
  const views = colourViews(topology, deployments);
  const show = (v: ColourView) => `${v.colour} ${v.version ?? '?'} (${v.ready}/${v.desired})`;
  if (live.colour === 'unknown') return `*Live colour:* unknown (selector ${JSON.stringify(live.selector)})`;
  const back = rollbackColour(live);
  const backVersion =
    live.previous?.colour === back ? (live.previous.version ?? views[back].version) : views[back].version;
  return `*Live colour:* ${show(views[live.colour])}   *Idle:* ${show(views[idleColour(live)])}   *Rollback to:* ${back} ${backVersion ?? '?'}`;
}
