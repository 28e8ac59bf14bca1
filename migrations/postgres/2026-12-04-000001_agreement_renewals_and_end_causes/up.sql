-- Institution agreements: renewals (action 'renew', from_on..until_on the new term) and
-- non-renewals (action 'non_renewal') are events like the others. Every end of an agreement
-- records its cause (聊城 第十条、第十四条; 吉林 第十七条、第二十一条), which decides the
-- re-application bar: violation | breach | fraud | voluntary on a termination (解除); a lapse,
-- a non-renewal or an expiry (终止) are derived. A fraudulent application's bar runs from its
-- discovery. A termination recorded before causes were recorded has none: it is read as a
-- violation (the bar it was shown with).
ALTER TABLE institution_events ADD COLUMN cause TEXT;
ALTER TABLE institution_events ADD COLUMN discovered_on DATE;
