// The demo directory `npm start` loads into an empty database: a general contractor (Northwind
// Builders) with its subcontractors and design team on four projects, and open and closed items in
// all seven tools. Deterministic (same rows, same order, same IDs on an empty database) and
// idempotent: it does nothing when the users table already has rows.
import { sql } from 'drizzle-orm';
import type { Database } from './client';
import {
  defectItems,
  inspections,
  meetingItemAssignees,
  meetingItems,
  meetings,
  observations,
  projectMembers,
  projects,
  rfiAssignees,
  rfis,
  submittalApprovers,
  submittals,
  timecardEntries,
  users,
  type DirectoryPermission,
} from './schema';

const SEED_LOCK_ID = 7_242_002;

type Person = {
  key: string;
  name: string;
  email: string | null;
  jobTitle: string;
  company: string;
  isEmployee: boolean;
  permission: DirectoryPermission;
  manager: string | null;
  inactive?: { at: string; by: string; reason: string };
};

const NW = 'Northwind Builders';
const nw = (local: string) => `${local}@northwind-builders.example`;

// Order matters: a manager comes before their reports (IDs are assigned in this order).
export const DEMO_PEOPLE: readonly Person[] = [
  { key: 'margaret', name: 'Margaret Chen', email: nw('margaret.chen'), jobTitle: 'Chief Executive Officer', company: NW, isEmployee: true, permission: 'admin', manager: null },
  { key: 'helen', name: 'Helen Park', email: nw('helen.park'), jobTitle: 'HR Director', company: NW, isEmployee: true, permission: 'admin', manager: 'margaret' },
  { key: 'david', name: 'David Okafor', email: nw('david.okafor'), jobTitle: 'IT Administrator', company: NW, isEmployee: true, permission: 'admin', manager: 'margaret' },
  { key: 'robert', name: 'Robert Alvarez', email: nw('robert.alvarez'), jobTitle: 'VP of Operations', company: NW, isEmployee: true, permission: 'standard', manager: 'margaret' },
  { key: 'priya', name: 'Priya Natarajan', email: nw('priya.natarajan'), jobTitle: 'Senior Project Manager', company: NW, isEmployee: true, permission: 'standard', manager: 'robert' },
  { key: 'james', name: 'James Whitfield', email: nw('james.whitfield'), jobTitle: 'Project Manager', company: NW, isEmployee: true, permission: 'standard', manager: 'robert' },
  { key: 'laura', name: 'Laura Svensson', email: nw('laura.svensson'), jobTitle: 'Safety Manager', company: NW, isEmployee: true, permission: 'standard', manager: 'robert' },
  { key: 'kevin', name: "Kevin O'Brien", email: nw('kevin.obrien'), jobTitle: 'Quality Manager', company: NW, isEmployee: true, permission: 'standard', manager: 'robert' },
  { key: 'omar', name: 'Omar Haddad', email: nw('omar.haddad'), jobTitle: 'Estimator', company: NW, isEmployee: true, permission: 'read_only', manager: 'robert' },
  { key: 'sofia', name: 'Sofia Rossi', email: nw('sofia.rossi'), jobTitle: 'Project Engineer', company: NW, isEmployee: true, permission: 'standard', manager: 'priya' },
  { key: 'marcus', name: 'Marcus Johnson', email: nw('marcus.johnson'), jobTitle: 'Project Engineer', company: NW, isEmployee: true, permission: 'standard', manager: 'priya' },
  { key: 'nina', name: 'Nina Patel', email: nw('nina.patel'), jobTitle: 'Document Controller', company: NW, isEmployee: true, permission: 'standard', manager: 'priya' },
  { key: 'grace', name: 'Grace Liu', email: nw('grace.liu'), jobTitle: 'Scheduler', company: NW, isEmployee: true, permission: 'read_only', manager: 'priya' },
  { key: 'emily', name: 'Emily Tran', email: nw('emily.tran'), jobTitle: 'Assistant Project Manager', company: NW, isEmployee: true, permission: 'standard', manager: 'james' },
  { key: 'daniel', name: 'Daniel Kim', email: nw('daniel.kim'), jobTitle: 'Superintendent', company: NW, isEmployee: true, permission: 'standard', manager: 'james' },
  { key: 'olivia', name: 'Olivia Grant', email: nw('olivia.grant'), jobTitle: 'Project Coordinator', company: NW, isEmployee: true, permission: 'standard', manager: 'james', inactive: { at: '2025-06-30T17:00:00Z', by: 'helen', reason: 'Left the company (resigned)' } },
  { key: 'ethan', name: 'Ethan Brooks', email: nw('ethan.brooks'), jobTitle: 'Project Engineering Intern', company: NW, isEmployee: true, permission: 'read_only', manager: 'marcus' },
  { key: 'aisha', name: 'Aisha Bello', email: nw('aisha.bello'), jobTitle: 'Field Engineer', company: NW, isEmployee: true, permission: 'standard', manager: 'daniel' },
  { key: 'tomas', name: 'Tomás Herrera', email: nw('tomas.herrera'), jobTitle: 'Carpentry Foreman', company: NW, isEmployee: true, permission: 'standard', manager: 'daniel' },
  { key: 'carlos', name: 'Carlos Mendes', email: null, jobTitle: 'Laborer', company: NW, isEmployee: true, permission: 'none', manager: 'tomas' },
  { key: 'jin', name: 'Jin Park', email: null, jobTitle: 'Carpenter', company: NW, isEmployee: true, permission: 'none', manager: 'tomas' },
  // Subcontractors and the design team: not employees, so no timecards.
  { key: 'rachel', name: 'Rachel Green', email: 'rgreen@apex-electrical.example', jobTitle: 'Project Manager', company: 'Apex Electrical', isEmployee: false, permission: 'standard', manager: null },
  { key: 'victor', name: 'Victor Ivanov', email: 'vivanov@apex-electrical.example', jobTitle: 'Electrical Foreman', company: 'Apex Electrical', isEmployee: false, permission: 'read_only', manager: 'rachel' },
  { key: 'hannah', name: 'Hannah Schmidt', email: 'hannah@bluewater-plumbing.example', jobTitle: 'Project Manager', company: 'Bluewater Plumbing', isEmployee: false, permission: 'standard', manager: null },
  { key: 'luis', name: 'Luis Romero', email: null, jobTitle: 'Plumbing Foreman', company: 'Bluewater Plumbing', isEmployee: false, permission: 'read_only', manager: 'hannah' },
  { key: 'frank', name: 'Frank Walsh', email: 'fwalsh@summit-steel.example', jobTitle: 'Project Manager', company: 'Summit Steel', isEmployee: false, permission: 'read_only', manager: null },
  { key: 'paul', name: 'Paul Becker', email: 'pbecker@summit-steel.example', jobTitle: 'Ironworker Foreman', company: 'Summit Steel', isEmployee: false, permission: 'read_only', manager: 'frank' },
  { key: 'mei', name: 'Mei Tanaka', email: 'mtanaka@meridian-architects.example', jobTitle: 'Project Architect', company: 'Meridian Architects', isEmployee: false, permission: 'standard', manager: null },
  { key: 'samuel', name: 'Samuel Adeyemi', email: 'sadeyemi@meridian-architects.example', jobTitle: 'Structural Engineer', company: 'Meridian Architects', isEmployee: false, permission: 'read_only', manager: 'mei' },
  { key: 'zoe', name: 'Zoe Marin', email: 'zmarin@meridian-architects.example', jobTitle: 'Interior Designer', company: 'Meridian Architects', isEmployee: false, permission: 'read_only', manager: 'mei' },
];

const DEMO_PROJECTS = [
  { key: 'harbor', number: 'P-1001', name: 'Harbor View Medical Center', status: 'active' as const },
  { key: 'riverside', number: 'P-1002', name: 'Riverside Elementary Expansion', status: 'active' as const },
  { key: 'eastgate', number: 'P-1003', name: 'Eastgate Logistics Warehouse', status: 'active' as const },
  { key: 'library', number: 'P-0907', name: 'Civic Library Renovation', status: 'closed' as const },
];

// project -> [member, project-level permission]
const MEMBERS: Record<string, [string, DirectoryPermission][]> = {
  harbor: [
    ['priya', 'admin'], // a project-level admin whose company-level permission is standard
    ['sofia', 'standard'], ['marcus', 'standard'], ['nina', 'standard'], ['daniel', 'standard'], ['aisha', 'standard'],
    ['tomas', 'standard'], ['carlos', 'none'], ['laura', 'standard'], ['kevin', 'standard'], ['ethan', 'read_only'],
    ['rachel', 'standard'], ['victor', 'read_only'], ['hannah', 'standard'], ['luis', 'read_only'], ['mei', 'standard'],
    ['samuel', 'read_only'], ['zoe', 'read_only'], ['helen', 'admin'], ['grace', 'read_only'],
  ],
  riverside: [
    ['james', 'admin'], ['emily', 'standard'], ['daniel', 'standard'], ['tomas', 'standard'], ['jin', 'none'],
    ['laura', 'standard'], ['kevin', 'standard'], ['rachel', 'standard'], ['hannah', 'standard'], ['mei', 'standard'],
    ['olivia', 'standard'], ['helen', 'admin'],
  ],
  eastgate: [
    ['james', 'admin'], ['emily', 'standard'], ['marcus', 'standard'], ['frank', 'read_only'], ['paul', 'read_only'], ['victor', 'read_only'],
    ['omar', 'read_only'], ['samuel', 'read_only'], ['helen', 'admin'],
  ],
  library: [['priya', 'admin'], ['sofia', 'standard'], ['olivia', 'standard'], ['jin', 'none'], ['mei', 'standard']],
};

export type SeedResult = { seeded: boolean; users: number; projects: number };

/**
 * Loads the demo directory when the users table is empty; otherwise does nothing. Safe to call
 * from several processes at once (a transaction-scoped advisory lock).
 */
export async function seedDemoDirectory(db: Database): Promise<SeedResult> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${SEED_LOCK_ID})`);
    const [{ count } = { count: 0 }] = await tx.select({ count: sql<number>`count(*)::int` }).from(users);
    if (count > 0) return { seeded: false, users: count, projects: 0 };

    const u: Record<string, number> = {};
    for (const p of DEMO_PEOPLE) {
      const [row] = await tx
        .insert(users)
        .values({
          name: p.name,
          email: p.email,
          jobTitle: p.jobTitle,
          company: p.company,
          isEmployee: p.isEmployee,
          directoryPermission: p.permission,
          managerId: p.manager ? id(u, p.manager) : null,
          status: p.inactive ? 'inactive' : 'active',
          inactivatedAt: p.inactive ? new Date(p.inactive.at) : null,
          inactivatedBy: p.inactive ? id(u, p.inactive.by) : null,
          inactivationReason: p.inactive?.reason ?? null,
        })
        .returning({ id: users.id });
      u[p.key] = row!.id;
    }

    const pr: Record<string, number> = {};
    for (const p of DEMO_PROJECTS) {
      const [row] = await tx.insert(projects).values({ number: p.number, name: p.name, status: p.status }).returning({ id: projects.id });
      pr[p.key] = row!.id;
    }
    let day = 0;
    for (const [project, members] of Object.entries(MEMBERS)) {
      await tx.insert(projectMembers).values(
        members.map(([member, permission]) => ({
          projectId: id(pr, project),
          userId: id(u, member),
          directoryPermission: permission,
          addedAt: new Date(Date.UTC(2024, 0, 8 + day++)),
        })),
      );
    }

    // RFIs: manager + assignees; draft and open are open.
    const rfiRows: [string, string, string, 'draft' | 'open' | 'closed', string, string[]][] = [
      ['harbor', 'RFI-001', 'Conflict between duct route and beam at grid C-4', 'open', 'sofia', ['mei', 'samuel']],
      ['harbor', 'RFI-002', 'Clarify fire rating of corridor partitions, level 2', 'open', 'marcus', ['mei']],
      ['harbor', 'RFI-003', 'Electrical room door swing', 'draft', 'sofia', ['rachel']],
      ['harbor', 'RFI-004', 'Slab edge embed spacing', 'closed', 'marcus', ['samuel']],
      ['riverside', 'RFI-001', 'Gym floor finish specification', 'open', 'emily', ['mei']],
      ['riverside', 'RFI-002', 'Existing water main depth', 'closed', 'emily', ['hannah']],
      ['eastgate', 'RFI-001', 'Dock leveler pit dimensions', 'open', 'marcus', ['samuel', 'frank']],
      ['library', 'RFI-014', 'Historic window restoration method', 'closed', 'sofia', ['mei']],
    ];
    for (const [project, number, subject, status, manager, assignees] of rfiRows) {
      const [row] = await tx
        .insert(rfis)
        .values({ projectId: id(pr, project), number, subject, status, managerId: id(u, manager) })
        .returning({ id: rfis.id });
      await tx.insert(rfiAssignees).values(assignees.map((a) => ({ rfiId: row!.id, userId: id(u, a) })));
    }

    // Submittals: manager + approvers with pending or answered responses.
    type Response = 'pending' | 'approved' | 'approved_as_noted' | 'revise_and_resubmit' | 'rejected';
    const submittalRows: [string, string, string, 'draft' | 'open' | 'closed', string, [string, Response][]][] = [
      ['harbor', '26 05 19-01', 'Low-voltage cable product data', 'open', 'nina', [['mei', 'approved_as_noted'], ['kevin', 'pending']]],
      ['harbor', '22 11 16-01', 'Domestic water piping shop drawings', 'open', 'nina', [['mei', 'pending'], ['samuel', 'pending']]],
      ['harbor', '05 12 00-01', 'Structural steel shop drawings', 'closed', 'marcus', [['samuel', 'approved']]],
      ['riverside', '09 64 00-01', 'Wood athletic flooring samples', 'draft', 'emily', [['mei', 'pending']]],
      ['riverside', '08 71 00-01', 'Door hardware schedule', 'closed', 'emily', [['mei', 'revise_and_resubmit'], ['kevin', 'approved']]],
      ['eastgate', '11 13 00-01', 'Loading dock equipment', 'open', 'james', [['frank', 'approved'], ['kevin', 'pending']]],
    ];
    for (const [project, number, title, status, manager, approvers] of submittalRows) {
      const [row] = await tx
        .insert(submittals)
        .values({ projectId: id(pr, project), number, title, status, managerId: id(u, manager) })
        .returning({ id: submittals.id });
      await tx.insert(submittalApprovers).values(
        approvers.map(([a, response]) => ({
          submittalId: row!.id,
          userId: id(u, a),
          response,
          respondedAt: response === 'pending' ? null : new Date(Date.UTC(2025, 8, 15)),
        })),
      );
    }

    type ObservationStatus = 'initiated' | 'ready_for_review' | 'not_accepted' | 'closed';
    const observationRows: [string, string, string, ObservationStatus, string][] = [
      ['harbor', 'OBS-001', 'Missing guardrail at level 3 east stair', 'initiated', 'aisha'],
      ['harbor', 'OBS-002', 'Housekeeping: debris at loading area', 'ready_for_review', 'tomas'],
      ['harbor', 'OBS-003', 'Unlabelled temporary panel', 'not_accepted', 'victor'],
      ['riverside', 'OBS-001', 'Excavation not barricaded overnight', 'closed', 'tomas'],
      ['riverside', 'OBS-002', 'Hot work permit not posted', 'initiated', 'laura'],
      ['eastgate', 'OBS-001', 'Fall protection anchor inspection overdue', 'closed', 'laura'],
    ];
    for (const [project, number, title, status, assignee] of observationRows) {
      await tx.insert(observations).values({ projectId: id(pr, project), number, title, status, assigneeId: id(u, assignee) });
    }

    // Meetings with items; an item's assignees are responsible while it is open.
    const meetingRows: [string, string, string, [string, string, 'open' | 'closed', string[]][]][] = [
      ['harbor', 'OAC Meeting #12', '2025-10-02', [
        ['12.1', 'Confirm MEP coordination sign-off for level 2', 'open', ['sofia', 'rachel']],
        ['12.2', 'Submit revised three-week look-ahead', 'open', ['daniel']],
        ['12.3', 'Distribute updated drawing log', 'closed', ['nina']],
      ]],
      ['riverside', 'Weekly Subcontractor Meeting #8', '2025-10-06', [
        ['8.1', 'Plumbing rough-in inspection readiness', 'open', ['hannah', 'luis']],
        ['8.2', 'Safety stand-down follow-up', 'closed', ['laura']],
      ]],
      ['library', 'Closeout Meeting', '2025-03-14', [['1.1', 'Deliver O&M manuals', 'closed', ['olivia']]]],
    ];
    for (const [project, title, date, items] of meetingRows) {
      const [m] = await tx
        .insert(meetings)
        .values({ projectId: id(pr, project), title, meetingDate: date })
        .returning({ id: meetings.id });
      for (const [number, itemTitle, status, assignees] of items) {
        const [item] = await tx
          .insert(meetingItems)
          .values({ meetingId: m!.id, number, title: itemTitle, status })
          .returning({ id: meetingItems.id });
        await tx.insert(meetingItemAssignees).values(assignees.map((a) => ({ meetingItemId: item!.id, userId: id(u, a) })));
      }
    }

    type InspectionStatus = 'not_started' | 'in_progress' | 'in_review' | 'closed';
    const inspectionRows: [string, string, string, InspectionStatus, string, string][] = [
      ['harbor', 'INS-001', 'Above-ceiling electrical rough-in, level 2', 'in_progress', 'Apex Electrical', 'victor'],
      ['harbor', 'INS-002', 'Underground plumbing pressure test', 'closed', 'Bluewater Plumbing', 'luis'],
      ['harbor', 'INS-003', 'Firestopping, level 1', 'not_started', NW, 'kevin'],
      ['riverside', 'INS-001', 'Framing inspection, classroom wing', 'in_review', NW, 'tomas'],
      ['eastgate', 'INS-001', 'Steel erection bolt torque', 'closed', 'Summit Steel', 'kevin'],
    ];
    for (const [project, number, title, status, contractor, poc] of inspectionRows) {
      await tx.insert(inspections).values({
        projectId: id(pr, project),
        number,
        title,
        status,
        responsibleContractor: contractor,
        pointOfContactId: id(u, poc),
      });
    }

    type DefectStatus = 'work_required' | 'ready_for_review' | 'not_accepted' | 'closed';
    const defectRows: [string, string, string, DefectStatus, string][] = [
      ['harbor', 'PL-001', 'Patient room 214: damaged drywall corner', 'work_required', 'tomas'],
      ['harbor', 'PL-002', 'Nurse station: outlet cover missing', 'ready_for_review', 'victor'],
      ['harbor', 'PL-003', 'Staff restroom: leaking trap', 'not_accepted', 'luis'],
      ['riverside', 'PL-001', 'Room 105: scuffed door frame', 'closed', 'jin'],
      ['library', 'PL-031', 'Reading room: touch-up paint', 'closed', 'olivia'],
      ['riverside', 'PL-002', 'Corridor B: ceiling tile stained', 'work_required', 'aisha'],
    ];
    for (const [project, number, title, status, assignee] of defectRows) {
      await tx.insert(defectItems).values({ projectId: id(pr, project), number, title, status, assignedToId: id(u, assignee) });
    }

    // Timecards: field staff log hours; an employee is done once a final entry is recorded.
    const timecardRows: [string, string, string, string, boolean, string | null][] = [
      ['harbor', 'carlos', '2025-10-06', '8.00', false, null],
      ['harbor', 'carlos', '2025-10-07', '9.50', false, null],
      ['harbor', 'tomas', '2025-10-06', '8.00', false, null],
      ['harbor', 'aisha', '2025-10-06', '7.50', false, null],
      ['riverside', 'jin', '2025-10-06', '8.00', false, null],
      ['riverside', 'daniel', '2025-10-06', '10.00', false, null],
      ['riverside', 'olivia', '2025-06-30', '4.00', true, 'james'],
      ['eastgate', 'omar', '2025-09-30', '6.00', true, 'james'],
    ];
    for (const [project, who, date, hours, isFinal, recordedBy] of timecardRows) {
      await tx.insert(timecardEntries).values({
        projectId: id(pr, project),
        userId: id(u, who),
        workDate: date,
        hours,
        isFinal,
        recordedBy: recordedBy ? id(u, recordedBy) : null,
      });
    }

    return { seeded: true, users: DEMO_PEOPLE.length, projects: DEMO_PROJECTS.length };
  });
}

function id(map: Record<string, number>, key: string): number {
  const v = map[key];
  if (v === undefined) throw new Error(`seed: unknown reference ${key}`);
  return v;
}
