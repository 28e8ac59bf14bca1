//! Hand-kept diesel schema, in types both backends share (Text, BigInt, Integer, Date, Bool,
//! Timestamp). Mirrors `migrations/{sqlite,postgres}`.

diesel::table! {
    institutions (code) {
        code -> Text,
        name -> Text,
        kind -> Text,
        region_code -> Text,
        agreement_start -> Date,
        agreement_end -> Date,
        recorded_at -> Timestamp,
        public -> Bool,
        organization_code -> Nullable<Text>,
        legal_representative -> Nullable<Text>,
    }
}

diesel::table! {
    institution_events (id) {
        id -> BigInt,
        institution_code -> Text,
        action -> Text,
        from_on -> Date,
        until_on -> Nullable<Date>,
        reason -> Text,
        article -> Text,
        cascade_case_id -> Nullable<BigInt>,
        recorded_at -> Timestamp,
        requested -> Bool,
        lapses_on -> Nullable<Date>,
        cause -> Nullable<Text>,
        discovered_on -> Nullable<Date>,
        copied_from -> Nullable<Text>,
        requested_on -> Nullable<Date>,
        department -> Nullable<Text>,
    }
}

diesel::table! {
    practitioners (personnel_code) {
        personnel_code -> Text,
        name -> Text,
        id_number -> Text,
        category -> Text,
        birth_date -> Date,
        phone -> Nullable<Text>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    registrations (id) {
        id -> BigInt,
        institution_code -> Text,
        personnel_code -> Text,
        registered_on -> Date,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    deregistrations (id) {
        id -> BigInt,
        registration_id -> BigInt,
        deregistered_on -> Date,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    inspections (id) {
        id -> BigInt,
        idempotency_key -> Text,
        request_hash -> Text,
        institution_code -> Text,
        inspected_on -> Date,
        decided_on -> Date,
        response -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    deductions (id) {
        id -> BigInt,
        inspection_id -> BigInt,
        seq -> Integer,
        personnel_code -> Text,
        institution_code -> Text,
        items -> Text,
        points -> Integer,
        chosen_points -> Nullable<Integer>,
        ban_months -> Nullable<Integer>,
        fund_loss_fen -> Nullable<BigInt>,
        occurred_on -> Nullable<Date>,
        decided_on -> Date,
        note -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    revocations (id) {
        id -> BigInt,
        deduction_id -> BigInt,
        revoked_on -> Date,
        reason -> Text,
        source -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    training_tests (id) {
        id -> BigInt,
        personnel_code -> Text,
        tested_on -> Date,
        cycle_year -> Integer,
        format -> Text,
        score -> Nullable<Text>,
        passed -> Bool,
        recorded_at -> Timestamp,
        retake_reason -> Nullable<Text>,
        /// 考试方式 as the test centre gave it (`online`/`offline`/`paper`/`computer`); NULL: not given.
        delivery -> Nullable<Text>,
    }
}

diesel::table! {
    training_test_absences (id) {
        id -> BigInt,
        personnel_code -> Text,
        absent_on -> Date,
        cycle_year -> Integer,
        reason -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    cascade_cases (id) {
        id -> BigInt,
        institution_code -> Text,
        cycle_year -> Integer,
        numerator -> Integer,
        denominator -> Integer,
        opened_on -> Date,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    cascade_decisions (id) {
        id -> BigInt,
        case_id -> BigInt,
        decision -> Text,
        reason -> Text,
        decided_on -> Date,
        until_on -> Nullable<Date>,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    interview_records (id) {
        id -> BigInt,
        order_id -> BigInt,
        held_on -> Date,
        notes -> Text,
        recorded_at -> Timestamp,
        participants -> Nullable<Text>,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        role -> Text,
        institution_code -> Nullable<Text>,
        region_code -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// The same SQL table as [`api_tokens`], with the columns of migration `001201_token_lifecycle`
    /// (label, expiry, revocation, last use). `api_tokens` keeps the first six columns because
    /// `store::facts` reads whole rows of it; once that module stops doing so the two become one.
    /// Read and written only by `store::tokens`.
    #[sql_name = "api_tokens"]
    tokens (id) {
        id -> BigInt,
        token_hash -> Text,
        role -> Text,
        institution_code -> Nullable<Text>,
        region_code -> Nullable<Text>,
        created_at -> Timestamp,
        label -> Nullable<Text>,
        expires_on -> Nullable<Date>,
        revoked_at -> Nullable<Timestamp>,
        last_used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    write_lock (id) {
        id -> Integer,
        n -> BigInt,
    }
}

diesel::table! {
    /// The change feed: see `store::feed`. `seq` is NULL until the writing transaction ends.
    changes (id) {
        id -> BigInt,
        seq -> Nullable<BigInt>,
        key_kind -> Text,
        personnel_code -> Nullable<Text>,
        institution_code -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    proj_intervals (personnel_code,institution_code,from_on) {
        personnel_code -> Text,
        institution_code -> Text,
        from_on -> Date,
        until_on -> Nullable<Date>,
        status -> Text,
    }
}

diesel::table! {
    proj_cycles (personnel_code,cycle_year) {
        personnel_code -> Text,
        cycle_year -> Integer,
        total -> Integer,
        deduction_count -> Integer,
        max_single -> Integer,
    }
}

diesel::table! {
    proj_sanctions (personnel_code,seq) {
        personnel_code -> Text,
        seq -> Integer,
        kind -> Text,
        cycle_year -> Integer,
        decided_on -> Date,
        starts_on -> Date,
        ends_on -> Nullable<Date>,
        ban_until -> Nullable<Date>,
        total -> Integer,
        article -> Text,
        detail -> Text,
    }
}

diesel::table! {
    proj_watch (institution_code,cycle_year,personnel_code) {
        institution_code -> Text,
        cycle_year -> Integer,
        personnel_code -> Text,
        detail -> Text,
    }
}

diesel::table! {
    /// The dashboard's people (issue 15): first registered and left, per county and city-wide ('').
    proj_people (personnel_code, county) {
        personnel_code -> Text,
        county -> Text,
        category -> Text,
        first_on -> Date,
        last_on -> Nullable<Date>,
    }
}

diesel::table! {
    /// The dashboard's training tests (issue 15): one row per test not revoked.
    proj_tests (test_id) {
        test_id -> BigInt,
        personnel_code -> Text,
        cycle_year -> Integer,
        category -> Text,
        age -> Integer,
        format -> Text,
        passed -> Bool,
    }
}

diesel::table! {
    interview_orders (id) {
        id -> BigInt,
        personnel_code -> Text,
        institution_code -> Text,
        cycle_year -> Integer,
        ordered_on -> Date,
        withdrawn -> Bool,
    }
}

diesel::table! {
    roster_entries (id) {
        id -> BigInt,
        institution_code -> Text,
        personnel_code -> Text,
        name -> Text,
        phone -> Nullable<Text>,
        practice_scope -> Nullable<Text>,
        practice_place -> Nullable<Text>,
        practice_registered_on -> Nullable<Date>,
        filed_on -> Nullable<Date>,
        certificate_no -> Nullable<Text>,
        recorded_at -> Timestamp,
        department -> Nullable<Text>,
    }
}

diesel::table! {
    notices (id) {
        id -> BigInt,
        kind -> Text,
        institution_code -> Text,
        personnel_code -> Nullable<Text>,
        deduction_id -> Nullable<BigInt>,
        notice_date -> Date,
        objection_deadline -> Nullable<Date>,
        title -> Text,
        body -> Text,
        recorded_at -> Timestamp,
        objection_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    notice_receipts (id) {
        id -> BigInt,
        notice_id -> BigInt,
        received_on -> Date,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    jurisdiction_settings (id) {
        id -> BigInt,
        jurisdiction -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    delivery_allowances (id) {
        id -> BigInt,
        days -> Integer,
        from_on -> Date,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    objections (id) {
        id -> BigInt,
        deduction_id -> BigInt,
        institution_code -> Text,
        filed_on -> Date,
        grounds -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    objection_decisions (id) {
        id -> BigInt,
        objection_id -> BigInt,
        level -> Text,
        decision -> Text,
        decided_on -> Date,
        evidence -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    objection_escalations (id) {
        id -> BigInt,
        objection_id -> BigInt,
        escalated_on -> Date,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    calendar_years (id) {
        id -> BigInt,
        year -> Integer,
        source -> Text,
        body -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    audit_log (id) {
        id -> BigInt,
        token_id -> Nullable<BigInt>,
        role -> Text,
        request_id -> Text,
        action -> Text,
        targets -> Text,
        facts -> Text,
        changes -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    termination_cases (id) {
        id -> BigInt,
        institution_code -> Text,
        term_start -> Date,
        opened_on -> Date,
        suspensions -> Integer,
        article -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    termination_case_decisions (id) {
        id -> BigInt,
        case_id -> BigInt,
        decision -> Text,
        reason -> Text,
        decided_on -> Date,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    accounts (id) {
        id -> BigInt,
        username -> Text,
        password_hash -> Text,
        role -> Text,
        institution_code -> Nullable<Text>,
        region_code -> Nullable<Text>,
        disabled -> Bool,
        must_change_password -> Bool,
        failed_logins -> Integer,
        first_failed_at -> Nullable<Timestamp>,
        locked_until -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        account_id -> BigInt,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::joinable!(deregistrations -> registrations (registration_id));
diesel::joinable!(sessions -> accounts (account_id));
diesel::joinable!(revocations -> deductions (deduction_id));

diesel::table! {
    pass_marks (id) {
        id -> BigInt,
        year -> Integer,
        mark -> Integer,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    test_revocations (id) {
        id -> BigInt,
        test_id -> BigInt,
        revoked_on -> Date,
        reason -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    upload_reports (id) {
        id -> Text,
        institution_code -> Text,
        kind -> Text,
        body -> Text,
        rejected_csv -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    upload_report_parts (report_id, part, seq) {
        report_id -> Text,
        part -> Text,
        seq -> Integer,
        content -> Text,
    }
}

diesel::table! {
    agreement_intents (id) {
        id -> BigInt,
        institution_code -> Text,
        action -> Text,
        department -> Nullable<Text>,
        facts -> Text,
        basis -> Text,
        notified_on -> Date,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    agreement_statements (id) {
        id -> BigInt,
        intent_id -> BigInt,
        stated_on -> Date,
        waived -> Bool,
        statement -> Text,
        evidence -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    agreement_intent_decisions (id) {
        id -> BigInt,
        intent_id -> BigInt,
        event_id -> BigInt,
        decided_on -> Date,
        adopted -> Nullable<Bool>,
        response -> Text,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    notice_reads (notice_id) {
        notice_id -> BigInt,
        account_id -> BigInt,
        read_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    upload_reports,
    upload_report_parts,
    agreement_intents,
    agreement_statements,
    agreement_intent_decisions,
    training_test_absences,
    notice_receipts,
    notice_reads,
    delivery_allowances,
    jurisdiction_settings,
    pass_marks,
    test_revocations,
    accounts,
    sessions,
    termination_cases,
    termination_case_decisions,
    audit_log,
    calendar_years,
    notices,
    objections,
    objection_decisions,
    objection_escalations,
    roster_entries,
    institutions,
    institution_events,
    practitioners,
    registrations,
    deregistrations,
    inspections,
    deductions,
    revocations,
    training_tests,
    cascade_cases,
    cascade_decisions,
    interview_records,
    api_tokens,
    tokens,
    write_lock,
    proj_intervals,
    proj_cycles,
    proj_sanctions,
    proj_watch,
    proj_people,
    proj_tests,
    interview_orders,
);

diesel::table! {
    /// Tamper evidence: one link per chained row (a fact or an audit row); see `store::chain`.
    chain_links (id) {
        id -> BigInt,
        chain -> Text,
        seq -> BigInt,
        fact_table -> Text,
        fact_id -> BigInt,
        hash -> Text,
    }
}

diesel::table! {
    /// One row: whether the rows that existed before the chains are still to be chained.
    chain_upgrade (id) {
        id -> Integer,
        pending -> Bool,
    }
}
