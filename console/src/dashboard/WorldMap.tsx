// The map of dens by geohash cell on an offline world map: country shapes from world-atlas
// (TopoJSON shipped in the bundle), projected with d3-geo in the page; no tile server. One
// circle per cell, its area following the number of dens in it. Loaded only with the dashboard.
import { useMemo } from 'react';
import { geoNaturalEarth1, geoPath } from 'd3-geo';
import { feature } from 'topojson-client';
import type { GeometryCollection, Topology } from 'topojson-specification';
import ngeohash from 'ngeohash';
import countries110m from 'world-atlas/countries-110m.json';
import { useT } from '../i18n.tsx';
import { densByCell, type Facts } from './facts.ts';

const WIDTH = 960;
const HEIGHT = 500;

const world = countries110m as unknown as Topology<{ countries: GeometryCollection }>;
const land = feature(world, world.objects.countries);
const projection = geoNaturalEarth1().fitSize([WIDTH, HEIGHT], land);
const path = geoPath(projection);
const countryPaths = land.features.map((f, i) => ({ key: String(f.id ?? i), d: path(f) ?? '' }));

export default function WorldMap({ facts }: { facts: Facts }) {
  const t = useT();
  const cells = useMemo(
    () =>
      [...densByCell(facts)].flatMap(([cell, count]) => {
        const { latitude, longitude } = ngeohash.decode(cell);
        const point = projection([longitude, latitude]);
        return point ? [{ cell, count, x: point[0], y: point[1] }] : [];
      }),
    [facts],
  );
  const located = cells.reduce((sum, c) => sum + c.count, 0);
  return (
    <figure className="map">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="map-caption" data-cells={cells.length}>
        <g className="countries">
          {countryPaths.map((c) => (
            <path key={c.key} d={c.d} />
          ))}
        </g>
        <g className="cells">
          {cells.map((c) => (
            <circle key={c.cell} className="den-cell" cx={c.x} cy={c.y} r={4 + 3 * Math.sqrt(c.count)}>
              <title>{t('map.cell', { cell: c.cell, count: c.count })}</title>
            </circle>
          ))}
        </g>
      </svg>
      <figcaption id="map-caption">
        {cells.length === 0 ? t('map.noCells') : t('map.legend', { cells: cells.length, dens: located })}
      </figcaption>
    </figure>
  );
}
