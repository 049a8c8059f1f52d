/**
 * The flow catalogue of a construct tree: one per App (per root construct), filled by the components as
 * they are constructed and by the app where it composes components. The security layer generates the
 * NetworkPolicies from it, and the flow check proves them against it.
 */
import type { IConstruct } from 'constructs';
import type { Flow, FlowDeclaration } from './types';

const catalogues = new WeakMap<IConstruct, FlowCatalogue>();
const ID = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The flows declared in one construct tree, by id: what the NetworkPolicies are generated from and checked
 * against.
 */
export class FlowCatalogue {
  private readonly entries = new Map<string, Flow>();

  /** Declares a connection the cluster needs. Throws on a duplicate or malformed id. */
  require(scope: IConstruct, flow: FlowDeclaration): Flow {
    return this.add(scope, flow, 'allow');
  }

  /** Declares a connection that must stay blocked (checked, never turned into an allow). */
  forbid(scope: IConstruct, flow: FlowDeclaration): Flow {
    return this.add(scope, flow, 'deny');
  }

  /** Every flow, sorted by id (code point order). */
  get flows(): readonly Flow[] {
    return [...this.entries.keys()].sort().map((k) => this.entries.get(k)!);
  }

  private add(scope: IConstruct, flow: FlowDeclaration, expect: Flow['expect']): Flow {
    if (!ID.test(flow.id))
      throw new Error(`flow id ${JSON.stringify(flow.id)} (declared by ${scope.node.path}) must be lowercase letters, digits and "-", at most 63 characters`);
    const existing = this.entries.get(flow.id);
    if (existing) throw new Error(`flow id ${JSON.stringify(flow.id)} is declared twice (by ${existing.declaredBy} and ${scope.node.path})`);
    const entry: Flow = { ...flow, ports: [...(flow.ports ?? [])], expect, declaredBy: scope.node.path };
    this.entries.set(flow.id, entry);
    return entry;
  }
}

/**
 * Entry point for components: `Flows.of(this).require({...})`. All constructs of one App share the catalogue
 * (it belongs to the root construct).
 */
export class Flows {
  static of(scope: IConstruct): ScopedFlows {
    const root = scope.node.root;
    let catalogue = catalogues.get(root);
    if (!catalogue) {
      catalogue = new FlowCatalogue();
      catalogues.set(root, catalogue);
    }
    return new ScopedFlows(scope, catalogue);
  }

  /** The catalogue of `scope`'s App (empty when nothing declared flows). */
  static catalogue(scope: IConstruct): FlowCatalogue {
    return Flows.of(scope).catalogue;
  }
}

/** The catalogue seen from one construct: declarations are attributed to it. */
export class ScopedFlows {
  constructor(
    private readonly scope: IConstruct,
    readonly catalogue: FlowCatalogue,
  ) {}

  require(flow: FlowDeclaration): Flow {
    return this.catalogue.require(this.scope, flow);
  }

  forbid(flow: FlowDeclaration): Flow {
    return this.catalogue.forbid(this.scope, flow);
  }
}
