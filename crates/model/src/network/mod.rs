//! The organisation as a graph: agents and the directed ties between them.
//!
//! Building goes through petgraph: the scenario's generators add undirected
//! relationships to a [`petgraph::graph::UnGraph`], which is then packed
//! into a compressed sparse row layout (struct of arrays) for stepping.
//! Each relationship becomes two *directed ties*, because trust is directed:
//! a's trust in b and b's trust in a are different numbers. Everywhere in
//! siloscope, "tie" means a directed tie.
//!
//! What the layout stores per tie (19 bytes): target (4), reverse tie (4),
//! kind (1), channel (1), trust class (1), and — in the simulation — the Beta
//! evidence r and s (4 + 4). Per agent: the CSR offset (4), part, group.

pub mod generate;

use crate::agent::{Channel, Part, Role};
use crate::rng::{SimRng, Stream};
use crate::scenario::Scenario;
use petgraph::graph::{NodeIndex, UnGraph};

/// Marks "no tie" in tie-index arrays.
pub const NO_TIE: u32 = u32::MAX;

/// Number of [`TieKind`]s.
pub const TIE_KINDS: usize = 5;

/// What a tie joins, which decides the mechanisms that use it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum TieKind {
    /// Two staff of the same department.
    Internal = 0,
    /// Two staff of different departments: a silo wall.
    Wall = 1,
    /// Staff and a partner, or two partners.
    Partner = 2,
    /// The organisation (staff or partner) and a customer or prospect.
    Touchpoint = 3,
    /// Two customers or prospects.
    Peer = 4,
}

impl TieKind {
    /// The kind of a tie between agents of these parts and groups.
    pub fn between(pa: Part, ga: u32, pb: Part, gb: u32) -> TieKind {
        match (pa, pb) {
            (Part::Department, Part::Department) if ga == gb => TieKind::Internal,
            (Part::Department, Part::Department) => TieKind::Wall,
            (a, b) if a.is_org() && b.is_org() => TieKind::Partner,
            (a, b) if a.is_org() != b.is_org() => TieKind::Touchpoint,
            _ => TieKind::Peer,
        }
    }

    /// Decode from the stored byte.
    pub const fn from_u8(v: u8) -> TieKind {
        match v {
            0 => TieKind::Internal,
            1 => TieKind::Wall,
            2 => TieKind::Partner,
            3 => TieKind::Touchpoint,
            _ => TieKind::Peer,
        }
    }

    /// Whether it joins two staff members.
    #[inline]
    pub const fn is_staff(self) -> bool {
        matches!(self, TieKind::Internal | TieKind::Wall)
    }
}

/// Why a network could not be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The generators produced more ties than the scenario allows.
    #[error(
        "{file}: the generated organisation has more than {max} directed ties (limits.max_ties); lower the densities or raise the limit"
    )]
    TooManyTies {
        /// Scenario file.
        file: String,
        /// The cap.
        max: u64,
    },
}

/// The organisation's agents and ties in a compact layout.
#[derive(Clone, Debug)]
pub struct Network {
    /// Part of each agent.
    pub part: Vec<Part>,
    /// Group index of each agent.
    pub group: Vec<u32>,
    /// Role of each group (departments; `Other` elsewhere).
    pub group_role: Vec<Role>,
    /// Part of each group.
    pub group_part: Vec<Part>,
    /// CSR offsets: the ties of agent `a` are `offsets[a]..offsets[a + 1]`.
    pub offsets: Vec<u32>,
    /// Where each [`TieKind`]'s run starts among agent `a`'s ties (ties are
    /// sorted by kind, then neighbour).
    pub kind_start: Vec<[u32; TIE_KINDS]>,
    /// Target agent of each tie.
    pub target: Vec<u32>,
    /// Index of the opposite tie (b→a for a→b).
    pub reverse: Vec<u32>,
    /// [`TieKind`] of each tie, as a byte.
    pub kind: Vec<u8>,
    /// [`Channel`] of each touchpoint tie, as a byte.
    pub channel: Vec<u8>,
    /// Trust class of each tie: `part(source) * 4 + part(target)`, or
    /// [`crate::trust::WALL_CLASS`] for silo walls (see
    /// [`crate::trust::Evidence::forget_and_sum`]).
    pub trust_class: Vec<u8>,
    /// How many ties each trust class holds (counted once, when built:
    /// every run on the network reads it).
    pub class_ties: [u64; crate::trust::TRUST_CLASSES],
    /// What the ties' neutral trust adds to the per-class sums, chunk by
    /// chunk: built at the first forgetting pass on this network and
    /// shared by every run on it ([`Self::neutral_sums`]).
    neutral_sums: std::sync::OnceLock<crate::trust::NeutralSums>,
    /// Per tie kind, one bit per agent, 64 to a word: the agent has a tie
    /// of that kind ([`Self::holders`]); and whether any agent has one.
    holders: [std::sync::OnceLock<(Vec<u64>, bool)>; TIE_KINDS],
    /// For staff and partners: the tie to take toward Product (shortest
    /// path over staff ties; partners first step into a department), or
    /// [`NO_TIE`] when Product cannot be reached.
    pub route: Vec<u32>,
    /// Members of Product departments.
    pub product_staff: Vec<u32>,
    /// Whether building it drew no random number: its ties are all named
    /// (an organisation's own network, imported or in files) or generated
    /// without chance, so every seed builds this same network and runs of
    /// any seed may share it.
    pub seed_free: bool,
}

impl Network {
    /// Build the network of `scenario` with the network stream of `seed`.
    ///
    /// Complexity: O(agents + ties · log(degree)).
    pub fn build(scenario: &Scenario, seed: u64) -> Result<Network, BuildError> {
        let n = scenario.agent_count() as usize;
        let mut rng = SimRng::new(seed, Stream::Network);
        let mut graph: UnGraph<(), Option<Channel>, u32> = UnGraph::with_capacity(n, 0);
        for _ in 0..n {
            graph.add_node(());
        }
        let cap = scenario.max_ties / 2;
        let mut over = false;
        let mut add =
            |graph: &mut UnGraph<(), Option<Channel>, u32>, a: u32, b: u32, ch: Option<Channel>| {
                if graph.edge_count() as u64 >= cap {
                    over = true;
                    return;
                }
                graph.add_edge(NodeIndex::new(a as usize), NodeIndex::new(b as usize), ch);
            };
        for g in &scenario.groups {
            let first = g.first;
            generate::within_group(&g.generator, g.generated, &mut rng, &mut |a, b| {
                add(&mut graph, first + a, first + b, None)
            });
        }
        for l in &scenario.links {
            let (gf, gt) = (&scenario.groups[l.from], &scenario.groups[l.to]);
            generate::between_groups(&l.ties, gf.size, gt.size, &mut rng, &mut |a, b| {
                add(&mut graph, gf.first + a, gt.first + b, l.channel)
            });
        }
        for t in &scenario.named_ties {
            add(&mut graph, t.from, t.to, t.channel);
        }
        let seed_free = rng.words_drawn() == 0;
        if over {
            return Err(BuildError::TooManyTies {
                file: scenario.file.clone(),
                max: scenario.max_ties,
            });
        }

        let mut part = Vec::with_capacity(n);
        let mut group = Vec::with_capacity(n);
        for (gi, g) in scenario.groups.iter().enumerate() {
            part.extend(std::iter::repeat_n(g.part, g.size as usize));
            group.extend(std::iter::repeat_n(gi as u32, g.size as usize));
        }
        let group_role: Vec<Role> = scenario.groups.iter().map(|g| g.role).collect();
        let group_part: Vec<Part> = scenario.groups.iter().map(|g| g.part).collect();
        let kind_of =
            |a: usize, b: usize| TieKind::between(part[a], group[a], part[b], group[b]) as u8;

        // Pack into CSR: per agent, ties sorted by (kind, neighbour) so each
        // kind is one contiguous run, duplicates dropped (the first channel
        // named wins).
        let mut adj: Vec<Vec<(u8, u32, Option<Channel>)>> = vec![Vec::new(); n];
        for e in graph.raw_edges() {
            let (a, b) = (e.source().index(), e.target().index());
            if a == b {
                continue;
            }
            let k = kind_of(a, b);
            adj[a].push((k, b as u32, e.weight));
            adj[b].push((k, a as u32, e.weight));
        }
        drop(graph);
        let mut offsets = Vec::with_capacity(n + 1);
        let mut kind_start = Vec::with_capacity(n);
        offsets.push(0u32);
        // Sized up front: grown by doubling, the arrays would hold up to
        // twice the ties (4 bytes a tie lost at a million ties).
        let most: usize = adj.iter().map(Vec::len).sum();
        let mut target = Vec::with_capacity(most);
        let mut kind = Vec::with_capacity(most);
        let mut channel_opt = Vec::with_capacity(most);
        for list in &mut adj {
            list.sort_by_key(|&(k, b, _)| (k, b));
            list.dedup_by_key(|&mut (k, b, _)| (k, b));
            let base = target.len() as u32;
            let mut starts = [0u32; TIE_KINDS];
            for (k, start) in starts.iter_mut().enumerate() {
                *start = base + list.partition_point(|&(kk, _, _)| (kk as usize) < k) as u32;
            }
            kind_start.push(starts);
            for &(k, b, ch) in list.iter() {
                target.push(b);
                kind.push(k);
                channel_opt.push(ch);
            }
            offsets.push(target.len() as u32);
            *list = Vec::new();
        }
        drop(adj);
        // Duplicate ties were dropped.
        target.shrink_to_fit();
        kind.shrink_to_fit();

        let m = target.len();
        let mut channel = Vec::with_capacity(m);
        let mut trust_class = Vec::with_capacity(m);
        let mut reverse = Vec::with_capacity(m);
        for a in 0..n {
            for i in offsets[a] as usize..offsets[a + 1] as usize {
                let b = target[i] as usize;
                let ch = channel_opt[i].unwrap_or_else(|| {
                    // The organisation-side end decides the default channel.
                    let org = if part[a].is_org() { a } else { b };
                    Channel::default_for(part[org], group_role[group[org] as usize])
                });
                channel.push(ch as u8);
                trust_class.push(if kind[i] == TieKind::Wall as u8 {
                    crate::trust::WALL_CLASS as u8
                } else {
                    (part[a].index() * 4 + part[b].index()) as u8
                });
                // The reverse tie has the same kind, and b's ties of one
                // kind are sorted by neighbour.
                let k = kind[i] as usize;
                let lo = kind_start[b][k] as usize;
                let hi = if k + 1 < TIE_KINDS {
                    kind_start[b][k + 1] as usize
                } else {
                    offsets[b + 1] as usize
                };
                let j = target[lo..hi]
                    .binary_search(&(a as u32))
                    .map_or(NO_TIE, |j| (lo + j) as u32);
                reverse.push(j);
            }
        }
        drop(channel_opt);

        let mut class_ties = [0u64; crate::trust::TRUST_CLASSES];
        for &c in &trust_class {
            class_ties[usize::from(c)] += 1;
        }
        let mut net = Network {
            part,
            group,
            group_role,
            group_part,
            offsets,
            kind_start,
            target,
            reverse,
            kind,
            channel,
            trust_class,
            class_ties,
            neutral_sums: std::sync::OnceLock::new(),
            holders: Default::default(),
            route: Vec::new(),
            product_staff: Vec::new(),
            seed_free,
        };
        net.compute_routes();
        Ok(net)
    }

    /// Number of agents.
    #[inline]
    pub fn agents(&self) -> usize {
        self.part.len()
    }

    /// Number of directed ties.
    #[inline]
    pub fn ties(&self) -> usize {
        self.target.len()
    }

    /// The tie indices of agent `a`.
    #[inline]
    pub fn ties_of(&self, a: u32) -> std::ops::Range<usize> {
        self.offsets[a as usize] as usize..self.offsets[a as usize + 1] as usize
    }

    /// Agent `a`'s ties of kinds `first..=last` (a contiguous run).
    #[inline]
    pub fn ties_of_kinds(&self, a: u32, first: TieKind, last: TieKind) -> std::ops::Range<usize> {
        let starts = &self.kind_start[a as usize];
        let end = if (last as usize) + 1 < TIE_KINDS {
            starts[last as usize + 1]
        } else {
            self.offsets[a as usize + 1]
        };
        starts[first as usize] as usize..end as usize
    }

    /// Agent `a`'s ties of one kind.
    #[inline]
    pub fn ties_of_kind(&self, a: u32, kind: TieKind) -> std::ops::Range<usize> {
        self.ties_of_kinds(a, kind, kind)
    }

    /// Kind of tie `t`.
    #[inline]
    pub fn kind_of(&self, t: usize) -> TieKind {
        TieKind::from_u8(self.kind[t])
    }

    /// Role of agent `a`'s group.
    #[inline]
    pub fn role_of(&self, a: u32) -> Role {
        self.group_role[self.group[a as usize] as usize]
    }

    /// Shortest routes toward Product: a multi-source breadth-first search
    /// from every Product staff member over staff ties; then each partner
    /// steps to its nearest department neighbour. Needs therefore cross
    /// departments only through walls, never through a partner.
    fn compute_routes(&mut self) {
        let n = self.agents();
        let mut dist = vec![u32::MAX; n];
        let mut route = vec![NO_TIE; n];
        let mut queue = std::collections::VecDeque::new();
        let mut product = Vec::new();
        for (a, d) in dist.iter_mut().enumerate() {
            if self.part[a] == Part::Department && self.role_of(a as u32) == Role::Product {
                *d = 0;
                product.push(a as u32);
                queue.push_back(a as u32);
            }
        }
        while let Some(v) = queue.pop_front() {
            for t in self.ties_of_kinds(v, TieKind::Internal, TieKind::Wall) {
                let w = self.target[t] as usize;
                if dist[w] == u32::MAX {
                    dist[w] = dist[v as usize] + 1;
                    // w reaches Product through v: its tie w→v.
                    route[w] = self.reverse[t];
                    queue.push_back(w as u32);
                }
            }
        }
        for (a, r) in route.iter_mut().enumerate() {
            if self.part[a] != Part::Partner {
                continue;
            }
            let best = self
                .ties_of_kind(a as u32, TieKind::Partner)
                .filter(|&t| self.part[self.target[t] as usize] == Part::Department)
                .filter(|&t| dist[self.target[t] as usize] != u32::MAX)
                .min_by_key(|&t| (dist[self.target[t] as usize], self.target[t]));
            if let Some(t) = best {
                *r = t as u32;
            }
        }
        self.route = route;
        self.product_staff = product;
    }

    /// Bytes held by the network's arrays (capacity, not just length).
    pub fn heap_bytes(&self) -> usize {
        fn v<T>(x: &Vec<T>) -> usize {
            x.capacity() * std::mem::size_of::<T>()
        }
        v(&self.part)
            + v(&self.group)
            + v(&self.offsets)
            + v(&self.kind_start)
            + v(&self.target)
            + v(&self.reverse)
            + v(&self.kind)
            + v(&self.channel)
            + v(&self.trust_class)
            + v(&self.route)
            + v(&self.product_staff)
            + self
                .neutral_sums
                .get()
                .map_or(0, crate::trust::NeutralSums::heap_bytes)
            + self
                .holders
                .iter()
                .map(|h| h.get().map_or(0, |(words, _)| v(words)))
                .sum::<usize>()
    }

    /// What each chunk of ties without evidence adds to the forgetting
    /// pass's per-class sums ([`crate::trust::Evidence::forget_and_sum`]),
    /// built once per network, at the first call.
    pub fn neutral_sums(&self) -> &crate::trust::NeutralSums {
        self.neutral_sums
            .get_or_init(|| crate::trust::NeutralSums::new(&self.trust_class))
    }

    /// The agents with at least one tie of `kind`, one bit each, 64 to a
    /// word (agent `a` is bit `a % 64` of word `a / 64`), built once per
    /// network and kind, at the first call.
    pub fn holders(&self, kind: TieKind) -> &[u64] {
        &self.holders_of(kind).0
    }

    /// Whether any agent has a tie of `kind` (built with
    /// [`Self::holders`]).
    pub fn has_holders(&self, kind: TieKind) -> bool {
        self.holders_of(kind).1
    }

    fn holders_of(&self, kind: TieKind) -> &(Vec<u64>, bool) {
        self.holders[kind as usize].get_or_init(|| {
            let mut words = vec![0u64; self.agents().div_ceil(64)];
            for a in 0..self.agents() as u32 {
                if !self.ties_of_kind(a, kind).is_empty() {
                    words[a as usize / 64] |= 1 << (a % 64);
                }
            }
            let any = words.iter().any(|&w| w != 0);
            (words, any)
        })
    }
}
